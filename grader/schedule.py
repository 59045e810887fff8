"""Execute many notebooks: a local pool of worker processes, or a Dask cluster, behind one call.

Each notebook is executed in a worker process (its own kernel inside); the main process
never imports TensorFlow. Byte-identical notebooks are executed once. A worker that dies
costs only its notebook: locally the pool is replaced (:mod:`grader.pool`), on Dask the
task is retried on another worker.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterator

from grader import console
from grader.distributed import DaskScheduler
from grader.execute.warm import worker_reserve
from grader.facts import NotebookFacts
from grader.grade import GradingContext, collect_facts
from grader.errors import RunInterrupted
from grader.messages import Catalogue
from grader.interrupt import install_worker_handlers, stopped_on_interrupt
from grader.pool import SurvivingPool, worker_death_reason
from grader.spec import ExecutionSettings
from grader.workdirs import remove_stale_workdirs

log = logging.getLogger(__name__)


def _exit_now() -> None:
    """A pool worker's last exit step: flush, then end without the interpreter's teardown.

    A process that imported TensorFlow (for inspection) spends 2–6 s tearing it down after
    its last atexit handler, and the pool waits for every worker to exit before ``grader
    run`` goes on. Registered first, this runs after every other atexit handler (the
    kernels started ahead are stopped by theirs).
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def _init_worker(threads: int, log_path: str | None = None) -> None:
    atexit.register(_exit_now)
    install_worker_handlers()  # Ctrl-C is the main process's; it stops workers with SIGTERM
    # TensorFlow, absl and the kernels write banners and warnings to stderr (oneDNN's
    # notice cannot be silenced by any variable), and ipykernel its Ctrl-C banner to the
    # stdout it inherits: both go to OUT/grader.log, not the terminal nor `grader run > log`
    if log_path:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    # read by TensorFlow at import: set before the worker first imports it
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def _collect_task(path: Path, context: GradingContext, status: Path | None = None,
                  ahead: bool = False) -> tuple[dict, bool]:
    """In a worker: execute one notebook (its stored facts were looked for before, in the main process).

    ``ahead``: the worker will get more notebooks, so it starts the next kernel while this one runs.
    """
    reserve = worker_reserve() if ahead else None
    facts, cached = collect_facts(path, context, use_cache=False, status=status, reserve=reserve)
    return facts.to_json(), cached


# ---------------------------------------------------------------------- main side
def machine_cores() -> int:
    """Cores this process may use (the affinity mask, which containers and taskset narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def machine_memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def default_jobs(settings: ExecutionSettings, cores: int | None = None, memory_bytes: int | None = None) -> int:
    """Notebooks run at once by default: cores ÷ the spec's threads, bounded by memory ÷ ``memory_mb``."""
    cores = cores or machine_cores()
    threads = settings.threads if isinstance(settings.threads, int) else 1
    jobs = max(1, cores // max(1, threads))
    memory = memory_bytes if memory_bytes is not None else machine_memory_bytes()
    if memory:
        jobs = min(jobs, max(1, memory // (int(settings.memory_mb) * 2**20)))
    return jobs


def resolve_threads(settings: ExecutionSettings, jobs: int, cores: int | None = None) -> ExecutionSettings:
    """``threads = "auto"``: the cores shared among the notebooks run at once (one notebook: every core)."""
    if settings.threads != "auto":
        return settings
    return dataclasses.replace(settings, threads=max(1, (cores or machine_cores()) // max(1, jobs)))


def _pool(jobs: int, threads: int, log_path: Path | None = None) -> ProcessPoolExecutor:
    # spawn, not fork: TensorFlow does not survive a fork
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(threads, str(log_path) if log_path else None))


def _display_name(key: str, catalogue: Catalogue) -> str:
    return catalogue("cli.progress.reference") if key.startswith("\0") else key


def _at_cell(name: str, status: Path | None, catalogue: Catalogue) -> str:
    """``name`` with the cell its kernel is running, from the status file its worker keeps."""
    try:
        cell = int(json.loads(status.read_text(encoding="utf-8"))["cell"]) if status else None
    except (OSError, ValueError, KeyError, TypeError):
        cell = None
    return catalogue("cli.progress.at_cell", name=name, cell=cell) if cell else name


def _running(futures: dict, catalogue: Catalogue, statuses: dict[str, Path] | None = None) -> list[str]:
    """Names of the notebooks a worker has started, with their current cell (local pool; Dask futures do not say)."""
    statuses = statuses or {}
    return [_at_cell(_display_name(key, catalogue), statuses.get(key), catalogue) for future, key in list(futures.items())
            if getattr(future, "running", None) is not None and future.running()]


def _gather(futures: dict, completed, collected: dict[str, tuple[NotebookFacts, bool]], catalogue: Catalogue,
            statuses: dict[str, Path] | None = None, *, total: int | None = None,
            explain: Callable[[BaseException], str | None] | None = None,
            result: Callable[[object], tuple[dict, bool]] | None = None,
            running: Callable[[], list[str]] | None = None) -> None:
    """Facts of each future as it completes; a failed one is its notebook's error (``explain`` may say why).

    ``total``: how many notebooks ``completed`` will yield, when ``futures`` grows as they run;
    ``result``: a future's outcome, when ``completed`` fetched it already (default ``future.result()``);
    ``running``: the names running now, when the futures cannot tell (default: the local pool's).
    """
    progress = console.RunProgress(total or len(futures), catalogue,
                                   running=running or (lambda: _running(futures, catalogue, statuses)))
    try:
        for future in completed:
            key = futures[future]
            try:
                facts_json, cached = result(future) if result else future.result()
                collected[key] = (NotebookFacts.from_json(facts_json), cached)
            except Exception as exc:  # a lost worker fails its own notebook only, with the reason kept
                log.error("the grading worker failed on %s", key.lstrip("\0"), exc_info=True)
                reason = (explain(exc) if explain else None) or (
                    f"the grading worker failed: {type(exc).__name__}: {exc}")
                collected[key] = (NotebookFacts(sha256="0" * 64, error=reason), False)
            facts, cached = collected[key]
            progress.finished(_display_name(key, catalogue), failed=facts.error is not None, cached=cached)
    finally:
        progress.close()


def collect_all(paths: dict[str, Path], context: GradingContext, jobs: int, use_cache: bool, catalogue: Catalogue,
                scheduler: DaskScheduler | None = None, log_path: Path | None = None) -> dict[str, tuple[NotebookFacts, bool]]:
    """Facts of every notebook (the reference among them): from the store, else executed in parallel workers.

    The store is read here, before any worker starts: a run whose notebooks are all stored
    (a rubric change) starts no process at all. Locally: a pool of ``jobs`` processes.
    With ``scheduler``: a Dask cluster (see :func:`_execute_on_dask`).
    """
    collected: dict[str, tuple[NotebookFacts, bool]] = {}
    remove_stale_workdirs()  # what a killed run left in the temporary directory
    total = sum(not key.startswith("\0") for key in paths)
    paths, copies = _distinct(paths)
    try:
        if use_cache:
            paths = _from_store(paths, context, collected)
        if paths:
            _execute_all(paths, context, min(jobs, len(paths)), scheduler, collected, catalogue, log_path)
    except KeyboardInterrupt:
        raise _interrupted(collected, copies, total, context) from None
    finally:
        for key, same_as in copies.items():
            if same_as in collected:
                collected[key] = collected[same_as]
    return collected


def _interrupted(collected: dict[str, tuple[NotebookFacts, bool]], copies: dict[str, str], total: int,
                 context: GradingContext) -> RunInterrupted:
    """How many of the ``total`` submissions (not the reference) a run stopped by Ctrl-C has facts of."""
    done = {key for key, (facts, _) in collected.items() if facts.error is None}
    done |= {key for key, same_as in copies.items() if same_as in done}
    return RunInterrupted(done=sum(not key.startswith("\0") for key in done), total=total,
                          stored=context.store_path is not None)


def _from_store(paths: dict[str, Path], context: GradingContext,
                collected: dict[str, tuple[NotebookFacts, bool]]) -> dict[str, Path]:
    """Take the stored facts of each notebook that has them; return the notebooks still to execute."""
    from grader.version import __version__
    from grader.grade import execution_key
    from grader.notebook import sha256_file
    from grader.store import Store

    if context.store_path is None:
        return paths
    store = Store(context.store_path)
    facts_key = execution_key(context.assignment, context.sandbox.level)
    rest = {}
    for key, path in paths.items():
        try:
            stored = store.get_facts(sha256_file(path), facts_key, __version__)
        except OSError:  # unreadable: the worker reports it as that notebook's error
            stored = None
        except Exception as exc:  # noqa: BLE001 — stored facts this grader cannot read: executed again
            log.warning("ignoring the stored facts of %s: %s: %s", key.lstrip("\0"), type(exc).__name__, exc)
            stored = None
        if stored is None:
            rest[key] = path
        else:
            collected[key] = (stored, True)
    return rest


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


def _execute_on_dask(paths: dict[str, Path], context: GradingContext, scheduler: DaskScheduler,
                     collected: dict[str, tuple[NotebookFacts, bool]], catalogue: Catalogue,
                     log_path: Path | None) -> None:
    """Submissions to the cluster as bytes, the reference (never sent) here; the store stays here.

    Workers share no file system with this machine: each gets a notebook's bytes and the
    assignment as data (:mod:`grader.remote`); facts come back and are stored here as each
    notebook finishes. A task
    that raised is retried once; one whose worker died, once on another worker
    (:mod:`grader.distributed`); then it is reported as that notebook's error.
    """
    from grader.version import __version__
    from grader.distributed import TASK_RETRIES, dask_client, lost_worker_reason
    from grader.grade import execution_key
    from grader.remote import ShippedAssignment, collect_remote
    from grader.store import Store

    local = {key: path for key, path in paths.items() if key.startswith("\0")}  # the reference solution
    store = Store(context.store_path) if context.store_path else None
    facts_key = execution_key(context.assignment, context.sandbox.level)
    # stored notebooks were taken before (collect_all): every one left here executes
    pending = {key: path for key, path in paths.items() if key not in local}
    names = {key: f"grader-{n}-{path.name}" for n, (key, path) in enumerate(pending.items())}
    with _pool(1, context.assignment.execution.threads, log_path) as pool, stopped_on_interrupt(pool, catalogue), \
            dask_client(scheduler) as client:
        here = {pool.submit(_collect_task, path, context): key for key, path in local.items()}
        # by value in every task, not scattered once: Dask's memory manager drops the extra copies
        # of a scattered value, and a worker would then wait on a busy peer for it before each notebook
        shipped = ShippedAssignment.of(context)

        def submit(key: str, path: Path):
            return client.submit(collect_remote, path.name, path.read_bytes(), shipped, key=names[key],
                                 pure=False, retries=TASK_RETRIES)

        window = _OnePerThread(client, submit, pending, catalogue)

        def stored(future) -> tuple[dict, bool]:
            """A notebook's facts, stored here as soon as they arrive: a killed run loses none."""
            facts_json, cached = window.result(future)
            facts = NotebookFacts.from_json(facts_json)
            if store is not None and facts.error is None:
                store.put_facts(facts, facts_key, __version__)
            return facts_json, cached

        _gather(window.futures, window, collected, catalogue, total=len(pending),
                explain=lambda exc: lost_worker_reason(exc, catalogue), result=stored, running=window.running)
        _gather(here, as_completed(here), collected, catalogue)


class _OnePerThread:
    """Dask futures as they complete, with no more notebooks on the cluster than its workers have threads.

    Each worker thread holds the one notebook it executes: a worker that dies takes no queued
    notebook with it (Dask would count that death against it too), and the notebooks' bytes
    wait here rather than in the scheduler's memory. A thread that finishes gets the next
    notebook before this process reads the facts of the last one, and those facts are
    fetched in the background as each task ends, so that no worker waits on this process.
    """

    def __init__(self, client, submit: Callable[[str, Path], object], pending: dict[str, Path],
                 catalogue: Catalogue) -> None:
        from distributed import as_completed as dask_completed

        self.client, self.submit, self.catalogue = client, submit, catalogue
        self.futures: dict = {}  # every future submitted -> its notebook's key
        self._queue = iter(pending.items())
        # on this client's event loop: another Dask client in the process may be the default one
        self._completed = dask_completed(with_results=True, raise_errors=False, loop=client.loop)
        self._in_flight: set = set()
        self._outcomes: dict = {}

    def running(self) -> list[str]:
        """The notebooks on the cluster now: one per worker thread, so each is running (or about to)."""
        return sorted(_display_name(self.futures[future], self.catalogue) for future in list(self._in_flight))

    def _top_up(self) -> None:
        from grader.distributed import cluster_threads

        threads = cluster_threads(self.client)
        while len(self._in_flight) < threads:
            key, path = next(self._queue, (None, None))
            if key is None:
                return
            future = self.submit(key, path)
            self.futures[future] = key
            self._in_flight.add(future)
            self._completed.add(future)

    def __iter__(self) -> Iterator:
        self._top_up()
        for future, outcome in self._completed:
            self._in_flight.discard(future)
            self._top_up()
            self._outcomes[future] = outcome
            yield future
            future.release()  # its facts are read: the cluster may forget them

    def result(self, future) -> tuple[dict, bool]:
        """The outcome fetched for ``future``: its facts, or the exception its task ended with."""
        outcome = self._outcomes.pop(future)
        if future.status == "error":  # Dask hands over (type, exception, traceback)
            raise outcome[1]
        if isinstance(outcome, BaseException):  # cancelled
            raise outcome
        return outcome


def _execute_all(paths: dict[str, Path], context: GradingContext, jobs: int,
                 scheduler: DaskScheduler | None, collected: dict[str, tuple[NotebookFacts, bool]],
                 catalogue: Catalogue, log_path: Path | None = None) -> None:
    if scheduler:
        _execute_on_dask(paths, context, scheduler, collected, catalogue, log_path)
        return
    _execute_locally(paths, functools.partial(_collect_task, context=context), jobs,
                     context.assignment.execution.threads, collected, catalogue, log_path)


@contextlib.contextmanager
def _stoppable_pool(jobs: int, threads: int, log_path: Path | None,
                    catalogue: Catalogue) -> Iterator[ProcessPoolExecutor]:
    """A pool whose workers (and their kernels) are stopped at once when Ctrl-C reaches this block."""
    with _pool(jobs, threads, log_path) as pool, stopped_on_interrupt(pool, catalogue):
        yield pool


def _execute_locally(paths: dict[str, Path], task: Callable, jobs: int, threads: int,
                     collected: dict[str, tuple[NotebookFacts, bool]], catalogue: Catalogue,
                     log_path: Path | None = None) -> None:
    """``task(path, status=, ahead=)`` for each notebook on a pool of ``jobs`` workers that survives their deaths.

    A worker that dies costs only its notebook (:mod:`grader.pool`): the pool is replaced and
    the other notebooks go on.
    """
    # each worker writes the cell its kernel is running to a small file the progress display reads,
    # and, when it takes a notebook, its pid to another (which notebooks a dead pool had started)
    folder = Path(tempfile.mkdtemp(prefix="grader-progress-", dir=log_path.parent if log_path else None))
    statuses = {key: folder / f"{n}.json" for n, key in enumerate(paths)}
    markers = {key: folder / f"{n}.started" for n, key in enumerate(paths)}
    try:
        pool = SurvivingPool(lambda size: _stoppable_pool(size, threads, log_path, catalogue), task, paths, jobs, markers,
                             statuses)
        _gather(pool.futures, pool, collected, catalogue, statuses, total=len(paths),
                explain=lambda exc: worker_death_reason(exc, catalogue),
                result=pool.result)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
