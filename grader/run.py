"""``grader run``: grade every submission in a folder and write the outputs.

Discovery (:mod:`grader.discovery`), the grading function on a backend, local workers or
Dask (:mod:`grader.grading`, :mod:`grader.backends`) and the end of the run
(:mod:`grader.finish`) are modules of their own; this one ties them together.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.assignments import load as load_assignment
from grader.datasets import dataset_dir_for
from grader.decisions import decisions_path, load_decisions
from grader.backends import Backend, DaskBackend, LocalPool
from grader.distributed import DEFAULT_CONNECT_TIMEOUT, DaskScheduler
from grader.archives import open_submissions
from grader.cifar10 import find_cifar10
from grader.discovery import DiscoveryInfo, Submission, discover, discover_submissions
from grader.errors import ExitCode, UsageError
from grader.execute.sandbox import resolve_sandbox
from grader.failures import describe, run_failure
from grader.grade import GradingContext
from grader.grading import REFERENCE_KEY, grade_all, score_isolated
from grader.finish import finish_run
from grader.history import record_run
from grader.late_apply import late_messages
from grader.messages import Catalogue, load_catalogue
from grader.outputs import prepare_out, save_run_inputs
from grader.results import RunResults, StepFailure, SubmissionResult
from grader.schedule import default_jobs, resolve_threads
from grader.spec import Assignment
from grader.store import Store, default_store_path
from grader.submission_times import load_submission_times, submission_times_path

__all__ = ["REFERENCE_KEY", "ExitCode", "RunSummary", "Submission", "discover_submissions", "grade_all",
           "make_backend", "make_context", "run", "score_isolated"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSummary:
    results: RunResults
    out: Path
    log: Path | None = None

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK  # a completed run succeeds even when submissions failed


def report_discovery(info: DiscoveryInfo, catalogue: Catalogue) -> None:
    """Say which earlier hand-ins are replaced by a later one, which ids were renamed, which files are not notebooks."""
    for replaced in info.replaced:
        console.err(catalogue("cli.discovery.replaced", submission=replaced.submission, kept=replaced.kept,
                              path=replaced.path))
    for renamed in info.renamed:
        console.err(catalogue(f"cli.discovery.renamed_{renamed.reason}", path=renamed.path, name=renamed.name,
                              id=renamed.id))
    if info.skipped:
        names = ", ".join(s.path for s in info.skipped[:5]) + (", …" if len(info.skipped) > 5 else "")
        console.err(catalogue("cli.discovery.skipped", count=len(info.skipped), files=names))


def make_backend(jobs: int, scheduler: DaskScheduler | None = None, log_path: Path | None = None) -> Backend:
    """Where the notebooks run: a Dask cluster with ``scheduler``, else ``jobs`` local workers (output to ``log_path``)."""
    return DaskBackend(scheduler, log_path) if scheduler else LocalPool(jobs, log_path)


def make_context(assignment: Assignment, *, data_dir: Path | None, store: Path | None, no_store: bool,
                 cell_timeout: float | None, isolation: str = "auto", jobs: int = 1,
                 degraded_warning: str = "cli.run.isolation_degraded", catalogue: Catalogue | None = None,
                 cifar10_dir: Path | None = None) -> GradingContext:
    """What every notebook of a run is graded with; a degraded sandbox is said once, in ``catalogue``'s language.

    ``cifar10_dir``: the instructor's CIFAR-10 folder, checked here (before any kernel starts)
    and shown read-only to the kernels; whether it is real or synthetic is said once.
    """
    # threads = "auto": the cores shared among the ``jobs`` notebooks run at once
    assignment = dataclasses.replace(assignment, execution=resolve_threads(assignment.execution, jobs))
    if cell_timeout is not None:
        if cell_timeout <= 0:
            raise UsageError("--cell-timeout must be a positive number of seconds", "usage.cell_timeout")
        execution = dataclasses.replace(assignment.execution, cell_timeout=float(cell_timeout))
        assignment = dataclasses.replace(assignment, execution=execution)
    cifar10 = find_cifar10(cifar10_dir)
    if cifar10 is not None:
        assignment = dataclasses.replace(assignment, execution=dataclasses.replace(assignment.execution,
                                                                                   cifar10=cifar10))
        key = "usage.cifar10.synthetic" if cifar10.synthetic else "usage.cifar10.real"
        console.err((catalogue or load_catalogue("pt"))(key, where=cifar10.folder))
    store_path = None if no_store else Path(store or default_store_path())
    if store_path is not None:
        check_store(store_path)
    sandbox = resolve_sandbox(isolation)
    if sandbox.level == "degraded":
        console.err((catalogue or load_catalogue("pt"))(degraded_warning, reason=sandbox.reason))  # once, before any notebook runs
    return GradingContext(assignment, dataset_dir_for(assignment, data_dir), store_path, sandbox)


def check_store(path: Path) -> None:
    """Open (or create) the store now, so an unusable ``--store`` stops the run before any notebook runs."""
    try:
        Store(path)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"cannot use the store '{path}': {reason}", "usage.store_unwritable", store=str(path),
                         reason=reason) from None


def run(*, submissions: Path, assignment: str, out: Path, jobs: int | None = None, cell_timeout: float | None = None,
        lang: str = "pt", data_dir: Path | None = None, store: Path | None = None, no_store: bool = False,
        force: bool = False, similarity: bool = True,
        assignments_dir: Path | None = None, scheduler: str | None = None, isolation: str = "auto",
        scheduler_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        decisions: Path | None = None, submitted: Path | None = None, cifar10_dir: Path | None = None) -> RunSummary:
    """Grade every notebook under ``submissions``, apply the teacher's decisions, write the outputs to ``out``.

    ``jobs`` None: what the machine holds (cores ÷ the spec's threads, bounded by memory).
    ``similarity``: compare the submissions at the end (OUT/similarity.html; off: ``--no-similarity``).
    ``scheduler``: a Dask scheduler's address, reached within ``scheduler_timeout`` seconds.
    ``submitted``: the submission times file for the late policy (default: SUBMISSIONS/submitted.toml or .csv).
    """
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be at least 1", "usage.jobs")
    if scheduler_timeout <= 0:
        raise UsageError("--scheduler-timeout must be a positive number of seconds", "usage.scheduler_timeout")
    catalogue = load_catalogue(lang)  # an unknown language is a usage error before any work starts
    spec, registry = load_assignment(assignment, assignments_dir)
    jobs = jobs if jobs is not None else default_jobs(spec.execution)
    # a zip archive is extracted into a temporary folder, removed once every notebook has run
    opened = open_submissions(Path(submissions))
    discovery = discover(opened.folder, skipped=opened.skipped)
    found = discovery.submissions
    report_discovery(discovery.info, catalogue)
    if not found:
        raise UsageError(f"no .ipynb notebooks found in '{submissions}'", "usage.no_submissions",
                         folder=str(submissions))
    decisions_file = decisions_path(submissions, decisions)
    decided = load_decisions(decisions_file)  # a bad decisions file stops the run before it starts
    times_file = submission_times_path(submissions, submitted)
    times = load_submission_times(times_file)  # so does a bad submission times file
    context = make_context(spec, data_dir=data_dir, cifar10_dir=cifar10_dir, store=store, no_store=no_store,
                           cell_timeout=cell_timeout,
                           isolation=isolation, jobs=jobs, catalogue=catalogue)
    log_path = prepare_out(Path(out))
    console.log_to(log_path)
    backend = make_backend(jobs, DaskScheduler(scheduler, scheduler_timeout) if scheduler else None, log_path)
    where = backend.where()
    console.err(catalogue("cli.run.starting", assignment=spec.id, count=len(found),
                          where=catalogue.render(where.key, where.params)))
    # --force: execute again (and store the new facts); otherwise nothing already stored runs again
    graded, reference = grade_all(found, context, registry, catalogue, backend, use_cache=not (no_store or force))
    results = {k: r for k, (r, _) in graded.items()}
    failures: list[StepFailure] = []
    try:
        similar = _similarity(Path(out), spec, found, results, similarity, context.store_path, failures, catalogue)
    finally:
        opened.cleanup()
    written, late = finish_run(Path(out), spec, graded, reference, lang, decisions=decided,
                               decisions_file=decisions_file if decided or decisions else None,
                               times=times, store=context.store_path, failures=failures,
                               sandbox=context.sandbox, similarity=similar, submissions_dir=Path(submissions),
                               discovery=discovery.info, record=record_run, kinds=registry)
    for key, params in late_messages(late, spec.late, str(times_file) if times_file else None) if late else ():
        console.err(catalogue(key, **params))
    try:
        save_run_inputs(Path(out), spec, reference)
    except Exception as exc:  # noqa: BLE001 — grader report needs it; the grades are written
        console.err(catalogue("cli.run.step_failed", step=catalogue("step.results"), error=describe(exc)))
    return RunSummary(written, Path(out), log_path)


def _similarity(out: Path, spec: Assignment, found: list[Submission], results: dict[str, SubmissionResult],
                enabled: bool, store: Path | None, failures: list[StepFailure], catalogue: Catalogue):
    """The run's similarity findings; a comparison that fails is the run's failure, never the end of the run."""
    from grader.similarity.command import compare_after_run  # copydetect is imported only when it is used
    from grader.similarity.saved import remove_findings

    try:
        return compare_after_run(out, spec, found, results, catalogue=catalogue, enabled=enabled, store=store)
    except Exception as exc:  # noqa: BLE001 — named in results.json and the run summary
        failures.append(run_failure("similarity", exc))
        remove_findings(out)
        return None
