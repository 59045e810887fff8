"""``grader report OUT``: every page of an output folder again, from what OUT already holds.

Reads ``results.json``, the submissions' ``facts.json`` and the run's assignment and
reference facts (``OUT/.grader/``), applies the teacher's decisions and writes the
reports, ``results.json``, ``grades.csv`` and ``index.html``. No notebook runs. In the
run's language the checks are not even re-checked; in another language they are re-checked
from the stored facts with the rubric of the run, so grades stay what they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.messages import Catalogue, load_catalogue
from grader.checks.base import default_registry
from grader.decisions import decisions_path, load_decisions
from grader.errors import UsageError
from grader.facts import NotebookFacts
from grader.failures import with_failure, without_failures
from grader.finish import finish_run
from grader.history import remembered_store
from grader.late_apply import late_messages, lms_times, previous_times
from grader.outputs import load_run_inputs
from grader.results import RESULTS_NAME, RunResults, SubmissionResult, load_results
from grader.scoring import score_submission
from grader.similarity.saved import load_findings
from grader.spec import Assignment
from grader.submission_times import load_submission_times, submission_times_path


@dataclass(frozen=True)
class ReportSummary:
    results: RunResults
    out: Path

    @property
    def exit_code(self) -> int:
        return 0


# the steps this command does again: their earlier failures are forgotten, and found again if they persist
REDONE = frozenset({"decisions", "late", "history", "report", "facts", "grades"})


def _facts(out: Path, result: SubmissionResult, catalogue: Catalogue) -> tuple[NotebookFacts | None, SubmissionResult]:
    """The submission's facts.json; one that cannot be read is that submission's failure, not the command's."""
    path = out / result.id / "facts.json"
    try:
        return NotebookFacts.from_json(json.loads(path.read_text(encoding="utf-8"))), result
    except Exception as exc:  # noqa: BLE001 — missing, truncated, hand-edited: the others are rendered
        return None, with_failure(result, "facts", exc, catalogue)


def _rechecked(result: SubmissionResult, facts: NotebookFacts | None, reference: NotebookFacts | None,
               assignment: Assignment, registry, catalogue: Catalogue) -> SubmissionResult:
    """``result`` checked again from its stored facts, its messages in ``catalogue``'s language (as it was, if that fails)."""
    if facts is None or reference is None:
        return result
    try:
        return score_submission(submission_id=result.id, path=result.path, assignment=assignment, facts=facts,
                                reference=reference, registry=registry, catalogue=catalogue,
                                cached=result.cached)
    except Exception as exc:  # noqa: BLE001 — kept as the run scored it, the failure named
        return with_failure(result, "scoring", exc, catalogue)


def report(*, out: Path, lang: str | None = None, decisions: Path | None = None, submitted: Path | None = None,
           announce: bool = True) -> ReportSummary:
    """Re-render every page of ``out`` in ``lang`` (the run's by default), applying the decisions.

    The late policy is applied again after them, with the times of ``submitted`` (default: the
    submissions folder's ``submitted.toml``/``.csv``) over those results.json recorded.
    """
    out = Path(out)
    previous = load_results(out)
    lang = lang or previous.lang
    catalogue = load_catalogue(lang)
    inputs = load_run_inputs(out)
    if inputs is None:
        raise UsageError(f"'{out}' does not keep the run's assignment", "usage.no_snapshot", out=str(out))
    assignment, reference = inputs
    results, facts = {}, {}
    for previous_result in previous.submissions:
        result = without_failures(previous_result, REDONE, catalogue)
        facts[result.id], results[result.id] = _facts(out, result, catalogue)
    recorded_times = {**lms_times(results), **previous_times(results)}
    registry = default_registry(Path(assignment.root))
    if lang != previous.lang:
        results = {k: _rechecked(r, facts[k], reference, assignment, registry, catalogue) for k, r in results.items()}
    path = decisions_path(previous.submissions_dir, decisions)
    failures = [f for f in previous.failures if f.step == "similarity"]  # the steps not done again here
    times_file = submission_times_path(previous.submissions_dir, submitted)
    # with no decisions file to read, the decisions results.json records stand
    written, late = finish_run(out, assignment, {k: (r, facts[k]) for k, r in results.items()}, reference, lang,
                               decisions=load_decisions(path) if path is not None else None, decisions_file=path,
                               recorded=previous.decisions,
                               times={**recorded_times, **load_submission_times(times_file)},
                               store=remembered_store(out), failures=failures, isolation=previous.isolation,
                               similarity=load_findings(out, previous), submissions_dir=previous.submissions_dir,
                               discovery=previous.discovery, kinds=registry)
    if announce:
        console.out(catalogue("cli.report.done", count=len(written.submissions), results=str(out / RESULTS_NAME),
                              index=str(out / "index.html")))
        console.print_unapplied_decisions(written.decisions, catalogue)
        for key, params in late_messages(late, assignment.late, str(times_file) if times_file else None) if late else ():
            console.err(catalogue(key, **params))
    return ReportSummary(written, out)
