"""The local backend: notebooks on a pool of worker processes of this machine (``grader run --jobs N``).

Each notebook is executed in a worker process (its own kernel inside); the main process
never imports TensorFlow. A worker that dies costs only its notebook: the pool is replaced
(:mod:`grader.pool`).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, Mapping

from grader.backends.base import Progress, Running, gather
from grader.execute import uses_models
from grader.execute.compat.finder import pause_collector_for_frameworks
from grader.execute.reaper import LIVE
from grader.execute.warm import worker_reserve
from grader.grade import GradingContext, collect_facts
from grader.interrupt import install_worker_handlers, stopped_on_interrupt
from grader.messages import Catalogue, Phrase
from grader.pool import SurvivingPool, worker_death_reason

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


def _init_worker(threads: int, log_path: str | None = None, environment: dict[str, str] | None = None) -> None:
    _adopt_environment(environment)
    atexit.register(_exit_now)
    install_worker_handlers()  # Ctrl-C is the main process's; it stops workers with SIGTERM
    prepare_worker(threads, log_path)
    # inspection imports Keras (or PyTorch) as a kernel does: with the garbage collector paused
    pause_collector_for_frameworks()


def _adopt_environment(environment: dict[str, str] | None) -> None:
    """A worker's environment is its parent's when the pool started, as a spawned worker's is.

    A worker forked from the fork server would otherwise keep the server's: the parent's when the
    first pool of the process started (a server, the tests: many runs, one fork server).
    """
    if environment is None:
        return
    for name in [name for name in os.environ if name not in environment]:
        del os.environ[name]
    os.environ.update(environment)


def prepare_worker(threads: int, log_path: str | None) -> None:
    """A grading worker's output and thread counts (a run's worker, or a server's)."""
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


def collect_task(path: Path, context: GradingContext, status: Path | None = None,
                 ahead: bool = False) -> tuple[dict, bool]:
    """In a worker: execute one notebook (its stored facts were looked for before, in the main process).

    ``ahead``: the worker will get more notebooks, so it starts the next kernel while this one runs.
    """
    reserve = worker_reserve() if ahead else None
    facts, cached = collect_facts(path, context, use_cache=False, status=status, reserve=reserve)
    return facts.to_json(), cached


# The grading workers of a process fork from one server process (multiprocessing's fork server)
# that imported the grading code once, and Keras when the first run of the process inspects
# models (:func:`fork_workers_from_server`): a spawned worker spent about 1 s of CPU importing
# the grader and 3 s importing Keras before its first notebook, at every run. The server never
# runs TensorFlow, only imports it, and holds no thread (OpenBLAS stops its own at a fork): its
# workers start TensorFlow as a spawned worker would.
WORKER_CODE = "grader.backends.local"
KERAS_AHEAD = "grader.backends.keras_ahead"


def fork_workers_from_server(models: bool) -> None:
    """What the workers' fork server imports: the grading code, and Keras when ``models`` (a run that inspects models).

    Read once, when the server starts with the first pool of the process; later pools fork from
    the same server whatever they ask (a worker imports what its server did not).
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload([WORKER_CODE] + ([KERAS_AHEAD] if models else []))


def process_pool(jobs: int, threads: int, log_path: Path | None = None) -> ProcessPoolExecutor:
    """``jobs`` worker processes, each running kernels with ``threads`` threads; their output to ``log_path``."""
    # forked from the fork server, never from this process: TensorFlow does not survive a fork of a
    # process that ran it, and this one may have (grader check, the tests)
    return ProcessPoolExecutor(jobs, mp_context=_worker_context(), initializer=_init_worker,
                               initargs=(threads, str(log_path) if log_path else None, dict(os.environ)))


def _worker_context(platform: str | None = None) -> multiprocessing.context.BaseContext:
    """The fork server's context, the server started and kept from the reaper; spawn if it cannot be had (or off Linux).

    The server (and multiprocessing's resource tracker) are children of this process that outlive
    a run: a kernel or judge of this process that stops must not take them for something it left
    behind (:func:`reap_new_children`).
    One killed all the same (by hand, or by a reaper that does not know it) cannot be started
    again in this process (multiprocessing asks the dead server's status and fails): its pools spawn.
    """
    if not (platform or sys.platform).startswith("linux"):  # a student's laptop: no fork server on Windows; macOS spawns
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver, resource_tracker
    try:
        with LIVE.lock:  # a reaper that runs meanwhile sees it registered
            forkserver.ensure_running()  # and multiprocessing's resource tracker, another child of this process
            LIVE.add(getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None))
            LIVE.add(getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None))
        return multiprocessing.get_context("forkserver")
    except (ChildProcessError, OSError) as exc:
        log.warning("the grading workers' fork server is gone (%s: %s): each worker starts afresh",
                    type(exc).__name__, exc)
        return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def stoppable_pool(jobs: int, threads: int, log_path: Path | None,
                   catalogue: Catalogue) -> Iterator[ProcessPoolExecutor]:
    """A pool whose workers (and their kernels) are stopped at once when Ctrl-C reaches this block."""
    with process_pool(jobs, threads, log_path) as pool, stopped_on_interrupt(pool, catalogue):
        yield pool


def cell_of(status: Path | None) -> int | None:
    """The cell a worker's kernel is running, from the status file the worker keeps (None: not known yet)."""
    try:
        return int(json.loads(status.read_text(encoding="utf-8"))["cell"]) if status else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


class LocalPool:
    """``jobs`` worker processes of this machine; their output goes to ``log_path`` (OUT/grader.log)."""

    def __init__(self, jobs: int, log_path: Path | None = None) -> None:
        self.jobs, self.log_path = max(1, jobs), log_path

    def where(self) -> Phrase:
        return Phrase("cli.run.where_jobs", {"jobs": self.jobs})

    def execute(self, paths: Mapping[str, Path], context: GradingContext, catalogue: Catalogue,
                progress: Progress) -> None:
        fork_workers_from_server(uses_models(context.assignment))
        self.run_tasks(paths, functools.partial(collect_task, context=context), context.assignment.execution.threads,
                       catalogue, progress)

    def pools(self, threads: int, catalogue: Catalogue) -> Callable[[int], contextlib.AbstractContextManager]:
        """How :meth:`run_tasks` gets each pool: a new one of ``size`` workers, stopped at the block's end."""
        return lambda size: stoppable_pool(size, threads, self.log_path, catalogue)

    def run_tasks(self, paths: Mapping[str, Path], task: Callable, threads: int, catalogue: Catalogue,
                  progress: Progress) -> None:
        """``task(path, status=, ahead=)`` for each notebook, on a pool that survives its workers' deaths.

        A worker that dies costs only its notebook (:mod:`grader.pool`): the pool is replaced and
        the other notebooks go on.
        """
        # each worker writes the cell its kernel is running to a small file the progress display reads,
        # and, when it takes a notebook, its pid to another (which notebooks a dead pool had started)
        log_path = self.log_path
        folder = Path(tempfile.mkdtemp(prefix="grader-progress-", dir=log_path.parent if log_path else None))
        statuses = {key: folder / f"{n}.json" for n, key in enumerate(paths)}
        markers = {key: folder / f"{n}.started" for n, key in enumerate(paths)}
        try:
            pool = SurvivingPool(self.pools(threads, catalogue), task, dict(paths), min(self.jobs, len(paths)), markers,
                                 statuses)

            def running() -> list[Running]:
                return [Running(key, cell_of(statuses.get(key))) for future, key in list(pool.futures.items())
                        if future.running()]

            gather(pool.futures, pool, progress, total=len(paths), running=running, result=pool.result,
                   explain=lambda exc: worker_death_reason(exc, catalogue))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
