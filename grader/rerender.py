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

from grader import __version__, console
from grader.checks.base import default_registry
from grader.decisions import apply_run_decisions, decisions_path, load_decisions
from grader.errors import UsageError
from grader.facts import NotebookFacts
from grader.history import record_run, remembered_store
from grader.late_apply import apply_late_policy, late_messages, lms_times, previous_times
from grader.outputs import load_run_inputs, write_outputs
from grader.results import RunResults, SubmissionResult
from grader.scoring import score_submission
from grader.similarity.saved import load_findings
from grader.spec import Assignment
from grader.submission_times import load_submission_times, submission_times_path

RESULTS_NAME = "results.json"


@dataclass(frozen=True)
class ReportSummary:
    results: RunResults
    out: Path

    @property
    def exit_code(self) -> int:
        return 0


def load_results(out: Path) -> RunResults:
    """``OUT/results.json``; a missing or unreadable one is a usage error naming it."""
    path = Path(out) / RESULTS_NAME
    if not path.is_file():
        raise UsageError(f"'{out}' has no results.json: run grader run first", "usage.no_results", out=str(out))
    try:
        return RunResults.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", "usage.results_invalid", file=str(path),
                         reason=str(exc)) from None


def _facts(out: Path, sub_id: str) -> NotebookFacts:
    path = out / sub_id / "facts.json"
    try:
        return NotebookFacts.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", "usage.results_invalid", file=str(path),
                         reason=str(exc)) from None


def _rechecked(result: SubmissionResult, facts: NotebookFacts | None, reference: NotebookFacts | None,
               assignment: Assignment, registry, lang: str) -> SubmissionResult:
    """``result`` checked again from its stored facts, its messages in ``lang``."""
    if facts is None or reference is None:
        return result
    return score_submission(submission_id=result.id, path=result.path, assignment=assignment, facts=facts,
                            reference=reference, registry=registry, catalogue=console.catalogue(),
                            cached=result.cached)


def report(*, out: Path, lang: str | None = None, decisions: Path | None = None, submitted: Path | None = None,
           announce: bool = True) -> ReportSummary:
    """Re-render every page of ``out`` in ``lang`` (the run's by default), applying the decisions.

    The late policy is applied again after them, with the times of ``submitted`` (default: the
    submissions folder's ``submitted.toml``/``.csv``) over those results.json recorded.
    """
    out = Path(out)
    previous = load_results(out)
    lang = lang or previous.lang
    console.use_language(lang)
    inputs = load_run_inputs(out)
    if inputs is None:
        raise UsageError(f"'{out}' does not keep the run's assignment", "usage.no_snapshot", out=str(out))
    assignment, reference = inputs
    facts = {s.id: _facts(out, s.id) for s in previous.submissions}
    results = {s.id: s for s in previous.submissions}
    recorded_times = {**lms_times(results), **previous_times(results)}
    if lang != previous.lang:
        registry = default_registry(Path(assignment.root))
        results = {k: _rechecked(r, facts[k], reference, assignment, registry, lang) for k, r in results.items()}
    path = decisions_path(previous.submissions_dir, decisions)
    info = previous.decisions
    if path is not None:  # with no file to read, the decisions results.json records stand
        results, info = apply_run_decisions(results, load_decisions(path), path)
    times_file = submission_times_path(previous.submissions_dir, submitted)
    late = apply_late_policy(results, assignment.late,
                             {**recorded_times, **load_submission_times(times_file)})
    results = late.results
    graded = {k: (r, facts[k]) for k, r in results.items()}
    # a decision changes a version's score: recorded in the store the run used
    history = record_run(remembered_store(out), out, assignment, reference.sha256 if reference else None,
                         results.values(), __version__)
    written = write_outputs(out, assignment, graded, reference, lang, None, similarity=load_findings(out, previous),
                            submissions_dir=previous.submissions_dir,
                            decisions=info, isolation=previous.isolation,
                            discovery=previous.discovery, history=history)
    if announce:
        console.out(console.t("cli.report.done", count=len(written.submissions), results=str(out / RESULTS_NAME),
                              index=str(out / "index.html")))
        console.print_unapplied_decisions(written.decisions, console.catalogue())
        for key, params in late_messages(late, assignment.late, str(times_file) if times_file else None):
            console.err(console.t(key, **params))
    return ReportSummary(written, out)
