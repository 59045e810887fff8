"""Teacher decisions: the ``decisions.toml`` file next to the submissions, read, written, applied.

A decision settles a review item or overrides a check's score, with a comment. ``grader
run``, ``grader report`` and ``grader review`` apply the file to stored results and never
re-run a notebook; a decision that no longer fits (a check the rubric dropped, a notebook
handed in again, points above a new maximum) is kept in the file and reported, not dropped.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from grader.messages import Phrase, load_catalogue
from grader.errors import UsageError
from grader.results import AppliedDecision, DecisionsInfo, ReviewItem, SettledItem, SubmissionResult, UnappliedDecision
from grader.scoring import POINTS_TOLERANCE, retotal, revert_decisions
from grader.serial import JsonData

DECISIONS_NAME = "decisions.toml"
HEADER = """\
# Teacher decisions (grader review --decide writes this file; it may be edited by hand).
# One [[decision]] per check or notebook-level review item:
#   submission, check (or item = the review item's reason, with an optional section),
#   points (optional: without it the grader's score stands), comment, who, when (ISO 8601),
#   sha256 (the notebook decided on: a notebook handed in again is not decided; delete the
#   line to apply the decision anyway).
"""
_TEXT_KEYS = ("submission", "check", "item", "section", "comment", "who", "when", "sha256")


@dataclass(frozen=True)
class Decision(JsonData):
    """One entry of the decisions file."""

    submission: str
    target: str  # a check id, or the reason of a notebook-level review item when ``item``
    comment: str
    who: str = ""
    when: str = ""
    points: float | None = None
    item: bool = False
    section: str | None = None  # for an item: only the item of this section
    sha256: str | None = None

    @property
    def key(self) -> tuple[str, str, bool, str | None]:
        return (self.submission, self.target, self.item, self.section)


def decisions_path(submissions_dir: str | Path | None, explicit: Path | None = None) -> Path | None:
    """The decisions file: ``explicit``, else ``decisions.toml`` in the submissions folder."""
    if explicit is not None:
        return Path(explicit)
    if submissions_dir is None:
        return None
    folder = Path(submissions_dir)
    return (folder if folder.is_dir() or not folder.suffix else folder.parent) / DECISIONS_NAME


def _invalid(path: Path, number: int, reason: str, **params: object) -> UsageError:
    """What is wrong with decision ``number`` (``usage.decision_detail.<reason>``), in English and the run's language."""
    key = f"usage.decision_detail.{reason}"
    return UsageError(f"{path}: [[decision]] #{number}: {load_catalogue('en').render(key, params)}",
                      "usage.decision_invalid", file=str(path), number=number, detail=Phrase(key, params))


def _points(value: Any, path: Path, number: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _invalid(path, number, "points", value=repr(value))
    return float(value)


def _entry(raw: Any, path: Path, number: int) -> Decision:
    if not isinstance(raw, Mapping):
        raise _invalid(path, number, "not_a_table")
    unknown = sorted(set(raw) - set(_TEXT_KEYS) - {"points"})
    if unknown:
        raise _invalid(path, number, "unknown_keys", keys=", ".join(unknown))
    text = {k: str(raw[k]) for k in _TEXT_KEYS if raw.get(k) is not None}  # a TOML date is read as text
    if not text.get("submission"):
        raise _invalid(path, number, "no_submission")
    if ("check" in text) == ("item" in text):
        raise _invalid(path, number, "check_or_item")
    if not text.get("comment", "").strip():
        raise _invalid(path, number, "no_comment")
    points = _points(raw.get("points"), path, number)
    if "item" in text and points is not None:
        raise _invalid(path, number, "item_points")
    return Decision(text["submission"], text.get("check") or text["item"], text["comment"], text.get("who", ""),
                    text.get("when", ""), points, "item" in text, text.get("section"), text.get("sha256"))


def load_decisions(path: Path | None) -> tuple[Decision, ...]:
    """The decisions in ``path`` (none when it does not exist); a bad file is a usage error."""
    if path is None or not Path(path).exists():
        return ()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", "usage.decisions_unreadable", file=str(path),
                         detail=str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: {exc}", "usage.decisions_toml", file=str(path), detail=str(exc)) from None
    entries = data.get("decision", [])
    if not isinstance(entries, list):
        raise _invalid(path, 1, "not_a_list")
    found: dict[tuple, Decision] = {}
    for number, raw in enumerate(entries, start=1):
        decision = _entry(raw, path, number)
        found[decision.key] = decision  # a later entry for the same check replaces an earlier one
    return tuple(found.values())


def _toml_string(text: str) -> str:
    # a JSON string is a TOML basic string once DEL, which TOML forbids raw, is escaped too
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _entry_text(decision: Decision) -> str:
    lines = ["[[decision]]", f"submission = {_toml_string(decision.submission)}",
             f"{'item' if decision.item else 'check'} = {_toml_string(decision.target)}"]
    if decision.section:
        lines.append(f"section = {_toml_string(decision.section)}")
    if decision.points is not None:
        lines.append(f"points = {decision.points!r}")
    for key in ("comment", "who", "when", "sha256"):
        value = getattr(decision, key)
        if value:
            lines.append(f"{key} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def save_decisions(path: Path, decisions: Iterable[Decision]) -> None:
    """Write the decisions file whole, atomically (a reader never sees half a file)."""
    path = Path(path)
    text = HEADER + "".join("\n" + _entry_text(d) for d in decisions)
    partial = path.with_name(f".{path.name}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", "usage.decisions_unwritable", file=str(path),
                         detail=exc.strerror or str(exc)) from None


def with_decision(decisions: Iterable[Decision], new: Decision) -> tuple[Decision, ...]:
    """``decisions`` with ``new`` replacing the one on the same check or item, if any."""
    kept = [d for d in decisions if d.key != new.key]
    return (*kept, new)


def without_decision(decisions: Iterable[Decision], key: tuple) -> tuple[Decision, ...]:
    return tuple(d for d in decisions if d.key != key)


def _decided_status(points: float, max_score: float, original: str, changed: bool) -> str:
    if not changed and original not in ("review", "error"):
        return original
    if max_score <= 0:
        return "passed" if original in ("review", "error") else original
    if points >= max_score - POINTS_TOLERANCE:
        return "passed"
    return "failed" if points <= POINTS_TOLERANCE else "partial"


def _settle(result: SubmissionResult, matches, decided: AppliedDecision) -> SubmissionResult:
    settled = tuple(SettledItem(i, decided) for i in result.review if matches(i))
    review = tuple(i for i in result.review if not matches(i))
    return dataclasses.replace(result, review=review, settled=result.settled + settled)


def apply_decision(result: SubmissionResult, decision: Decision) -> tuple[SubmissionResult, str | None]:
    """``result`` with one teacher decision applied, or unchanged with the reason it does not apply.

    Reasons: ``notebook_changed``, ``no_item``, ``no_check``, ``above_max``.
    """
    if decision.sha256 and decision.sha256 != result.sha256:
        return result, "notebook_changed"
    if decision.item:
        def matches(i: ReviewItem) -> bool:
            return i.check is None and i.reason == decision.target and decision.section in (None, i.section)
        if not any(matches(i) for i in result.review):
            return result, "no_item"
        return _settle(result, matches, AppliedDecision(decision.comment, decision.who, decision.when)), None
    check = next((c for c in result.checks if c.id == decision.target), None)
    if check is None:
        return result, "no_check"
    if decision.points is not None and decision.points > check.max_score + POINTS_TOLERANCE:
        return result, "above_max"
    points = check.score if decision.points is None else round(decision.points, 4)
    status = _decided_status(points, check.max_score, check.status, decision.points is not None)
    decided = AppliedDecision(decision.comment, decision.who, decision.when, points, check.score, check.status)
    checks = tuple(dataclasses.replace(c, score=points, status=status, decision=decided) if c is check else c
                   for c in result.checks)
    result = _settle(dataclasses.replace(result, checks=checks), lambda i: i.check == check.id, decided)
    return retotal(result), None


def apply_run_decisions(results: Mapping[str, SubmissionResult], decisions: Iterable[Decision], file: Path | None,
                        ) -> tuple[dict[str, SubmissionResult], DecisionsInfo | None]:
    """Every submission as the grader scored it, then with the file's decisions applied.

    Decisions already recorded in ``results`` are reverted first, so applying twice, or a
    file edited since, gives the file's decisions exactly.
    """
    applied = {key: revert_decisions(result) for key, result in results.items()}
    unapplied, count = [], 0
    for decision in decisions:
        result = applied.get(decision.submission)
        if result is None:
            reason: str | None = "no_submission"
        else:
            result, reason = apply_decision(result, decision)
        if reason is None:
            applied[decision.submission] = result
            count += 1
            continue
        check = next((c for c in result.checks if c.id == decision.target), None) if result else None
        unapplied.append(UnappliedDecision(decision.submission, decision.target, reason, decision.points,
                                           check.max_score if check else None, decision.comment))
    if file is None:
        return applied, None
    return applied, DecisionsInfo(str(file), count, tuple(unapplied))
