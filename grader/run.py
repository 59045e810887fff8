"""``grader run``: grade every submission in a folder, in parallel, and write the outputs.

Each notebook is graded in a worker process (its own kernel inside); the main process
never imports TensorFlow. Outputs: ``results.json``, ``grades.csv``, ``index.html``
and ``<id>/report.html`` (+ ``<id>/facts.json``) under OUT.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import os
import re
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader import __version__, console
from grader.assignments import load as load_assignment
from grader.datasets import find_fashion_mnist
from grader.errors import UsageError
from grader.export import get_exporter
from grader.execute.sandbox import Sandbox, resolve_sandbox
from grader.facts import NotebookFacts
from grader.checks.base import Registry
from grader.grade import GradingContext, collect_facts
from grader.locate import add_structure_notes
from grader.messages import load_catalogue
from grader.report import render_index, render_submission_report
from grader.results import AssignmentInfo, RunResults, SectionInfo, SubmissionResult
from grader.scoring import score_submission
from grader.spec import Assignment
from grader.store import Store, default_store_path

log = logging.getLogger(__name__)


class ExitCode(enum.IntEnum):
    OK = 0
    CHECKS_FAILED = 1
    USAGE = 2
    CONFIG = 3


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path
    relative: str


@dataclass(frozen=True)
class RunSummary:
    results: RunResults
    out: Path

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK  # a completed run succeeds even when submissions failed


def _safe_id(text: str) -> str:
    return re.sub(r"[^\w.@+-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"


def _ignored(name: str) -> bool:
    """Hidden files and folders (``.ipynb_checkpoints``, macOS ``._x.ipynb``) and zip debris (``__MACOSX``)."""
    return name.startswith(".") or name == "__MACOSX"


def discover_submissions(folder: Path) -> list[Submission]:
    """``*.ipynb`` in ``folder`` (id = file stem) or one per sub-folder (id = folder name)."""
    folder = Path(folder)
    if folder.is_file():
        return [Submission(_safe_id(folder.stem), folder, folder.name)]
    if not folder.is_dir():
        raise UsageError(f"submissions folder '{folder}' does not exist")
    found = [Submission(_safe_id(p.stem), p, p.name) for p in sorted(folder.glob("*.ipynb")) if not _ignored(p.name)]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not _ignored(p.name)):
        notebooks = sorted(sub.rglob("*.ipynb"))
        notebooks = [n for n in notebooks if not any(_ignored(part) for part in n.relative_to(sub).parts)]
        if notebooks:
            found.append(Submission(_safe_id(sub.name), notebooks[0], str(notebooks[0].relative_to(folder))))
            if len(notebooks) > 1:
                log.warning("%s holds %d notebooks; grading %s", sub, len(notebooks), notebooks[0].name)
    ids = [s.id for s in found]
    unique, used = [], set()
    for n, s in enumerate(found, start=1):
        new_id = f"{s.id}-{n}" if ids.count(s.id) > 1 else s.id
        # a suffixed id may equal another student's own id ("ana" twice, "ana-2" once)
        extra = 0
        while new_id in used or (new_id != s.id and new_id in ids):
            extra += 1
            new_id = f"{s.id}-{n}-{extra}"
        used.add(new_id)
        unique.append(dataclasses.replace(s, id=new_id))
    return unique


# ---------------------------------------------------------------------- worker side
def _init_worker(threads: int, log_path: str | None = None) -> None:
    # TensorFlow, absl and the kernels write banners and warnings to stderr (oneDNN's
    # notice cannot be silenced by any variable): they go to OUT/grader.log, not the terminal
    if log_path:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    # read by TensorFlow at import: set before the worker first imports it
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def _collect_task(path: Path, context: GradingContext, use_cache: bool) -> tuple[dict, bool]:
    facts, cached = collect_facts(path, context, use_cache=use_cache)
    return facts.to_json(), cached


# ---------------------------------------------------------------------- main side
def _pool(jobs: int, threads: int, log_path: Path | None = None) -> ProcessPoolExecutor:
    # spawn, not fork: TensorFlow does not survive a fork
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(threads, str(log_path) if log_path else None))


def _warn_if_reference_broken(facts: NotebookFacts) -> None:
    broken = [c for c in facts.cells if c.status != "ok"]
    if facts.error or broken:
        where = facts.error or ", ".join(f"cell {c.index} ({c.ename or c.status}: {c.evalue or ''})" for c in broken)
        console.err(f"warning: the reference solution did not run cleanly: {where}")


def _gather(futures: dict, completed, collected: dict[str, tuple[NotebookFacts, bool]]) -> None:
    for future in console.progress(completed, total=len(futures), label="executing"):
        key = futures[future]
        try:
            facts_json, cached = future.result()
            collected[key] = (NotebookFacts.from_json(facts_json), cached)
        except Exception as exc:  # a lost worker fails its own notebook only, with the reason kept
            reason = f"the grading worker failed: {type(exc).__name__}: {exc}"
            collected[key] = (NotebookFacts(sha256="0" * 64, error=reason), False)


def _collect_all(paths: dict[str, Path], context: GradingContext, jobs: int, use_cache: bool,
                 scheduler: str | None = None, log_path: Path | None = None) -> dict[str, tuple[NotebookFacts, bool]]:
    """Facts of every notebook (the reference among them), executed in parallel workers.

    Locally: a pool of ``jobs`` processes. With ``scheduler``: the same task submitted to a
    Dask distributed cluster (workers need the grader installed and the same paths).
    """
    collected: dict[str, tuple[NotebookFacts, bool]] = {}
    paths, copies = _distinct(paths)
    try:
        _execute_all(paths, context, min(jobs, len(paths)), use_cache, scheduler, collected, log_path)
    finally:
        for key, same_as in copies.items():
            if same_as in collected:
                collected[key] = collected[same_as]
    return collected


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _distinct(paths: dict[str, Path]) -> tuple[dict[str, Path], dict[str, str]]:
    """One path per distinct file content, and which key each duplicate copies.

    Byte-identical notebooks (untouched templates, the reference handed in as a sanity
    check) have identical facts: each content is executed once.
    """
    first: dict[str, str] = {}
    distinct: dict[str, Path] = {}
    copies: dict[str, str] = {}
    for key, path in paths.items():
        digest = _file_digest(path)
        if digest is not None and digest in first:
            copies[key] = first[digest]
            continue
        if digest is not None:
            first[digest] = key
        distinct[key] = path
    return distinct, copies


def _execute_all(paths: dict[str, Path], context: GradingContext, jobs: int, use_cache: bool,
                 scheduler: str | None, collected: dict[str, tuple[NotebookFacts, bool]],
                 log_path: Path | None = None) -> None:
    if scheduler:
        from grader.distributed import dask_client

        with dask_client(scheduler) as client:
            futures = {client.submit(_collect_task, path, context, use_cache, key=f"grader-{n}-{path.name}",
                                     pure=False): key
                       for n, (key, path) in enumerate(paths.items())}
            from distributed import as_completed as dask_completed

            _gather(futures, dask_completed(futures), collected)
        return
    with _pool(jobs, context.assignment.execution.threads, log_path) as pool:
        futures = {pool.submit(_collect_task, path, context, use_cache): key for key, path in paths.items()}
        _gather(futures, as_completed(futures), collected)


REFERENCE_KEY = "\0reference"
LOG_NAME = "grader.log"


def prepare_out(out: Path) -> Path:
    """Create the output folder before any notebook runs; the path of its log file."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out '{out}' is a file; give a folder for the reports")
    try:
        out.mkdir(parents=True, exist_ok=True)
        log = out / LOG_NAME
        log.touch()
    except OSError as exc:
        raise UsageError(f"cannot write to the output folder '{out}': {exc.strerror}") from None
    return log


def grade_all(submissions: list[Submission], context: GradingContext, registry: Registry, lang: str,
              jobs: int, use_cache: bool, scheduler: str | None = None, log_path: Path | None = None,
              ) -> tuple[dict[str, tuple[SubmissionResult, NotebookFacts]], NotebookFacts]:
    """Execute the reference and the submissions together, then score in this process."""
    paths = {REFERENCE_KEY: context.assignment.reference_path, **{s.id: s.path for s in submissions}}
    collected = _collect_all(paths, context, jobs, use_cache, scheduler, log_path)
    reference, _ = collected.pop(REFERENCE_KEY)
    _warn_if_reference_broken(reference)
    catalogue = load_catalogue(lang)
    graded = {}
    for sub in submissions:
        facts, cached = collected[sub.id]
        facts = add_structure_notes(facts, reference, context.assignment)
        result = score_submission(submission_id=sub.id, path=sub.relative, assignment=context.assignment,
                                  facts=facts, reference=reference, registry=registry, catalogue=catalogue,
                                  cached=cached)
        graded[sub.id] = (result, facts)
    return graded, reference


def assignment_info(assignment: Assignment) -> AssignmentInfo:
    sections = tuple(SectionInfo(s.id, s.title, m, s.bonus) for s, m in assignment.section_max_scores())
    return AssignmentInfo(assignment.id, assignment.title, assignment.max_score, sections)


def write_outputs(out: Path, assignment: Assignment, graded: dict[str, tuple[SubmissionResult, NotebookFacts]],
                  reference: NotebookFacts, lang: str, sandbox: Sandbox | None = None) -> RunResults:
    """Write every report, then results.json, grades.csv and index.html."""
    catalogue = load_catalogue(lang)
    out.mkdir(parents=True, exist_ok=True)
    results, reports = [], {}
    for sub_id in sorted(graded):
        result, facts = graded[sub_id]
        folder = out / sub_id
        folder.mkdir(exist_ok=True)
        report = f"{sub_id}/report.html"
        result = dataclasses.replace(result, report=report)
        (folder / "report.html").write_text(
            render_submission_report(result, assignment, catalogue, facts, reference), encoding="utf-8")
        (folder / "facts.json").write_text(json.dumps(facts.to_json(), indent=1), encoding="utf-8")
        results.append(result)
        reports[sub_id] = report
    isolation = {"level": sandbox.level, "reason": sandbox.reason} if sandbox else None
    run_results = RunResults(__version__, assignment_info(assignment), tuple(results), lang=lang, isolation=isolation)
    (out / "results.json").write_text(json.dumps(run_results.to_json(), indent=2, ensure_ascii=False),
                                      encoding="utf-8")
    get_exporter("csv")(run_results, out / "grades.csv")
    (out / "index.html").write_text(render_index(run_results, catalogue, reports), encoding="utf-8")
    return run_results


def make_context(assignment: Assignment, *, data_dir: Path | None, store: Path | None, no_store: bool,
                 cell_timeout: float | None, isolation: str = "auto") -> GradingContext:
    if cell_timeout is not None:
        if cell_timeout <= 0:
            raise UsageError("--cell-timeout must be a positive number of seconds")
        execution = dataclasses.replace(assignment.execution, cell_timeout=float(cell_timeout))
        assignment = dataclasses.replace(assignment, execution=execution)
    store_path = None if no_store else Path(store or default_store_path())
    if store_path is not None:
        Store(store_path)  # fail early, at the edge, if the store cannot be created
    sandbox = resolve_sandbox(isolation)
    if sandbox.level == "degraded":
        console.err(f"warning: degraded isolation ({sandbox.reason}): notebooks keep network and file-system "
                    "access; install bubblewrap for strict isolation, or pass --isolation strict to refuse")
    return GradingContext(assignment, find_fashion_mnist(data_dir), store_path, sandbox)


def run(*, submissions: Path, assignment: str, out: Path, jobs: int = 1, cell_timeout: float | None = None,
        lang: str = "pt", data_dir: Path | None = None, store: Path | None = None, no_store: bool = False,
        assignments_dir: Path | None = None, scheduler: str | None = None, isolation: str = "auto") -> RunSummary:
    """Grade every notebook under ``submissions`` and write the outputs to ``out``."""
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    load_catalogue(lang)  # an unknown language is a usage error before any work starts
    spec, registry = load_assignment(assignment, assignments_dir)
    found = discover_submissions(Path(submissions))
    if not found:
        raise UsageError(f"no .ipynb notebooks found in '{submissions}'")
    context = make_context(spec, data_dir=data_dir, store=store, no_store=no_store, cell_timeout=cell_timeout,
                           isolation=isolation)
    log_path = prepare_out(Path(out))
    where = f"Dask scheduler {scheduler}" if scheduler else f"{jobs} job(s)"
    console.err(f"{spec.id}: {len(found)} submission(s) + the reference solution, {where}")
    graded, reference = grade_all(found, context, registry, lang, jobs, use_cache=not no_store, scheduler=scheduler,
                                  log_path=log_path)
    results = write_outputs(Path(out), spec, graded, reference, lang, context.sandbox)
    return RunSummary(results, Path(out))
