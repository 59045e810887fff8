"""``grader review OUT``: the review queue of a run, and the teacher's decisions on it.

Lists the open items (checks in ``review``, grader-side errors, notebook-level notes),
numbered; ``--decide`` records a decision on an item or on any check (points, comment,
who, when) in the decisions file next to the submissions and re-renders OUT; ``--withdraw``
removes one. No notebook runs: the decisions apply to the stored results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

from grader import console
from grader.decisions import (
    Decision,
    apply_run_decisions,
    decisions_path,
    load_decisions,
    save_decisions,
    with_decision,
    without_decision,
)
from grader.errors import UsageError
from grader.messages import Catalogue, load_catalogue
from grader.rerender import report
from grader.results import AppliedDecision, ReviewItem, SubmissionResult, load_results
from grader.scoring import POINTS_TOLERANCE, review_items

MAX_WHY = 90


@dataclass(frozen=True)
class QueueEntry:
    """One numbered review item; numbers do not move when other items are decided."""

    number: int
    submission: SubmissionResult
    item: ReviewItem
    decision: AppliedDecision | None = None

    @property
    def target(self) -> str:
        return self.item.check or self.item.reason


def numbered_queue(results: dict[str, SubmissionResult]) -> list[QueueEntry]:
    """Every review item, open and settled, in one numbering: by submission, then in check order."""
    entries: list[QueueEntry] = []
    for sub_id in sorted(results):
        for item, decision in review_items(results[sub_id]):
            entries.append(QueueEntry(len(entries) + 1, results[sub_id], item, decision))
    return entries


def _points_text(entry: QueueEntry, cat: Catalogue) -> str:
    check = next((c for c in entry.submission.checks if c.id == entry.item.check), None)
    if check is None:
        return "—"
    return f"{cat.number(check.score)} / {cat.number(check.max_score)}"


def _why(item: ReviewItem, cat: Catalogue) -> str:
    key = f"index.review_reason.{item.reason}"
    label = cat.render(key) if key in cat.messages else item.reason
    text = " ".join(f"{label}: {item.text}".split())
    return text if len(text) <= MAX_WHY else text[:MAX_WHY - 1] + "…"


def print_queue(entries: list[QueueEntry], results_file: Path, out: Path, show_all: bool, t: Catalogue) -> None:
    open_entries = [e for e in entries if e.decision is None]
    if not open_entries:
        console.out(t("cli.review.empty", results=str(results_file)))
    else:
        console.out(t("cli.review.header", results=str(results_file), count=len(open_entries)))
        rows = [(t("cli.review.number"), t("cli.review.submission"), t("cli.review.check"), t("cli.review.points"),
                 t("cli.review.why"))]
        rows += [(str(e.number), e.submission.id, e.target, _points_text(e, t), _why(e.item, t)) for e in open_entries]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            console.out("  " + "  ".join([row[0].rjust(widths[0])] + [c.ljust(w) for c, w in zip(row[1:4], widths[1:])]
                                         + [row[4]]))
        console.out(t("cli.review.hint", out=str(out)))
    decided = [e for e in entries if e.decision is not None]
    if show_all and decided:
        console.out(t("cli.review.decided_header", count=len(decided)))
        for e in decided:
            points = t("cli.review.item_points") if e.item.check is None else _points_text(e, t)
            console.out(t("cli.review.decided_line", number=e.number, submission=e.submission.id, check=e.target,
                          points=points, comment=e.decision.comment, who=e.decision.by, when=e.decision.at))


def _resolve(values: Sequence[str], entries: list[QueueEntry], results: dict[str, SubmissionResult],
             out: Path) -> tuple[SubmissionResult, str, bool, str | None]:
    """``N`` or ``SUBMISSION CHECK`` -> (submission, target, is an item, section)."""
    if len(values) == 1 and values[0].isdigit():
        entry = next((e for e in entries if e.number == int(values[0])), None)
        if entry is None:
            raise UsageError(f"no review item {values[0]}", "usage.no_item_number", number=values[0], out=str(out))
        return entry.submission, entry.target, entry.item.check is None, (
            entry.item.section if entry.item.check is None else None)
    if len(values) != 2:
        raise UsageError("name an item by number, or SUBMISSION CHECK", "usage.decide_args")
    sub_id, target = values
    result = results.get(sub_id)
    if result is None:
        raise UsageError(f"submission '{sub_id}' is not in this run", "usage.no_submission", submission=sub_id)
    if any(c.id == target for c in result.checks):
        return result, target, False, None
    if any(i.check is None and i.reason == target for i, _ in review_items(result)):
        return result, target, True, None
    raise UsageError(f"submission '{sub_id}' has no check or item '{target}'", "usage.no_target",
                     submission=sub_id, target=target, checks=", ".join(c.id for c in result.checks))


def parse_points(text: str | None) -> float | None:
    """``--points``: a number of points, with a decimal point or a decimal comma (``1,5``)."""
    if text is None:
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise UsageError(f"--points '{text}' is not a number", "usage.points_invalid", value=text) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"--points '{text}' is not a number", "usage.points_invalid", value=text)
    if value < 0:
        raise UsageError("--points cannot be negative", "usage.points_negative")
    return value


def _who(by: str | None) -> str:
    """The name the teacher chose to sign with (``--by``), shown to students; none by default."""
    return (by or "").strip()


def make_decision(result: SubmissionResult, target: str, item: bool, section: str | None, points: float | None,
                  comment: str | None, by: str | None, cat: Catalogue) -> Decision:
    """The decision asked for (on the command line, or in ``grader serve``'s review form), refused when it
    cannot fit the check; numbers in the refusal are written in ``cat``'s language."""
    if not (comment or "").strip():
        raise UsageError("a decision needs --comment", "usage.comment_required")
    if item and points is not None:
        raise UsageError(f"item '{target}' has no points", "usage.points_on_item", target=target)
    check = None if item else next(c for c in result.checks if c.id == target)
    if check is not None and points is not None and points > check.max_score + POINTS_TOLERANCE:
        raise UsageError(f"refused: {points} points is more than the maximum of {target} ({check.max_score})",
                         "usage.points_above_max", points=cat.number(points), check=target,
                         max_score=cat.number(check.max_score))
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    return Decision(result.id, target, comment.strip(), _who(by), when, points, item, section, result.sha256)


def _check_flags(decide, withdraw, points, comment, by) -> None:
    if decide and withdraw:
        raise UsageError("use --decide or --withdraw, not both", "usage.decide_and_withdraw")
    if not decide and (points is not None or comment is not None or by is not None):
        raise UsageError("--points, --comment and --by only go with --decide", "usage.points_without_decide")


def review(*, out: Path, decide: Sequence[str] | None = None, withdraw: Sequence[str] | None = None,
           points: str | None = None, comment: str | None = None, by: str | None = None, show_all: bool = False,
           decisions: Path | None = None, lang: str | None = None) -> int:
    """List the review queue of ``out``, or record (``decide``) or remove (``withdraw``) one decision."""
    out = Path(out)
    _check_flags(decide, withdraw, points, comment, by)
    stored = load_results(out)
    cat = load_catalogue(lang or stored.lang)
    path = decisions_path(stored.submissions_dir, decisions)
    current = load_decisions(path)
    results = {s.id: s for s in stored.submissions}
    if path is not None:
        results, info = apply_run_decisions(results, current, path)
    else:
        info = stored.decisions
    entries = numbered_queue(results)
    if not decide and not withdraw:
        print_queue(entries, out / "results.json", out, show_all, cat)
        console.print_unapplied_decisions(info, cat)
        return 0
    if path is None:
        raise UsageError("cannot tell where decisions.toml is; give --decisions", "usage.no_decisions_file")
    result, target, item, section = _resolve(decide or withdraw, entries, results, out)
    if decide:
        new = make_decision(result, target, item, section, parse_points(points), comment, by, cat)
        save_decisions(path, with_decision(current, new))
        shown = cat("cli.review.item_points") if item else cat.number(
            new.points if new.points is not None else next(c.score for c in result.checks if c.id == target))
        console.out(cat("cli.review.saved", file=str(path), submission=result.id, target=target, points=shown))
    else:
        key = (result.id, target, item, section)
        if not any(d.key == key for d in current):
            raise UsageError(f"no decision on {result.id} / {target} in {path}", "usage.nothing_to_withdraw",
                             submission=result.id, target=target, file=str(path))
        save_decisions(path, without_decision(current, key))
        console.out(cat("cli.review.withdrawn", file=str(path), submission=result.id, target=target))
    rendered = report(out=out, decisions=decisions, announce=False)  # in the run's language, like the run
    console.print_unapplied_decisions(rendered.results.decisions, cat)
    console.out(cat("cli.review.rendered", index=str(out / "index.html")))
    return 0
