"""The end of a run, the same for ``grader run`` and ``grader report``.

After scoring: the teacher's decisions, then the late policy (it takes a share of the final
score), then every graded version recorded in the store, then the outputs. Each step fails
for the submissions it fails for, never for the run (:mod:`grader.failures`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from grader.checks.base import Registry
from grader.decisions import Decision, apply_run_decisions
from grader.discovery import DiscoveryInfo
from grader.execute.sandbox import Sandbox
from grader.facts import NotebookFacts
from grader.failures import isolated_step
from grader.history import record_run
from grader.late_apply import LateOutcome, apply_late_policy, lms_times
from grader.messages import load_catalogue
from grader.outputs import write_outputs
from grader.results import DecisionsInfo, RunResults, StepFailure, SubmissionResult
from grader.similarity.findings import SimilarityFindings
from grader.spec import Assignment
from grader.version import __version__


def finish_run(out: Path, assignment: Assignment, graded: Mapping[str, tuple[SubmissionResult, NotebookFacts | None]],
               reference: NotebookFacts | None, lang: str, *, decisions: tuple[Decision, ...] | None,
               decisions_file: Path | None, recorded: DecisionsInfo | None = None,
               times: Mapping[str, datetime], store: Path | None, failures: list[StepFailure],
               sandbox: Sandbox | None = None, isolation: dict[str, str] | None = None,
               similarity: SimilarityFindings | None = None, submissions_dir: Path | str | None = None,
               discovery: DiscoveryInfo | None = None, record: Callable = record_run,
               kinds: Registry | None = None) -> tuple[RunResults, LateOutcome | None]:
    """Decisions, late policy, history, outputs: what was written, and the late policy's outcome to tell.

    ``decisions`` None: no file to read, the decisions ``recorded`` stand; ``decisions_file``:
    the file named in results.json (None: none). ``times``: submission times over the LMS's own.
    ``store``: where the versions are recorded (None: ``--no-store``), by ``record``
    (:func:`grader.history.record_run`). ``failures``: the run's failed steps so far; those of
    these steps are added.
    """
    catalogue = load_catalogue(lang)
    results = {k: r for k, (r, _) in graded.items()}
    info = recorded
    if decisions is not None:
        (results, info), failed = isolated_step("decisions", results, lambda rs: apply_run_decisions(
            rs, decisions, decisions_file), catalogue, failures, (results, recorded))
        results = {**results, **failed}
    late, failed = isolated_step("late", results, lambda rs: apply_late_policy(
        rs, assignment.late, {k: t for k, t in {**lms_times(rs), **times}.items() if k in rs or k not in results}),
        catalogue, failures, None)
    results = {k: failed.get(k) or (late.results[k] if late is not None else r) for k, r in results.items()}
    # every graded version of each submission, kept in the store and shown in the instructor's view
    history, failed = isolated_step("history", results, lambda rs: record(
        store, Path(out), assignment, reference.sha256 if reference else None, rs.values(), __version__),
        catalogue, failures, {})
    results.update(failed)
    written = write_outputs(Path(out), assignment, {k: (r, graded[k][1]) for k, r in results.items()}, reference,
                            lang, sandbox, similarity=similarity, submissions_dir=submissions_dir, decisions=info,
                            isolation=isolation, discovery=discovery, history=history, failures=tuple(failures),
                            kinds=kinds)
    return written, late
