"""The local backend a server keeps: worker processes started once, each with a kernel ready (``grader serve``).

:class:`KeptPool` is a :class:`~grader.backends.local.LocalPool` whose workers stay between two
calls of :meth:`~KeptPool.execute`: an upload goes to a worker that has imported the grader
already and, while idle, started a kernel (:meth:`KernelReserve.launch_ahead`), so that the
notebook only connects to it. Several threads may call :meth:`~KeptPool.execute` at once and
share the workers. A worker that dies breaks the shared pool: it is dropped (the next call
starts another) and the notebooks it held run again, each alone in a pool of its own, as in
``grader run`` (:mod:`grader.pool`). A worker stops itself and its kernels when the process
that started it is gone (a server killed outright).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, Mapping

from grader.backends.base import Progress
from grader.backends.local import LocalPool, _init_worker, collect_task
from grader.execute.cgroups import destroy_all
from grader.execute.reaper import kill_all_children, kill_tree
from grader.execute.warm import worker_reserve
from grader.grade import GradingContext
from grader.messages import Catalogue

log = logging.getLogger(__name__)

PARENT_CHECK = 1.0  # seconds between two looks at whether the process that started a worker is still there
WARM_HOLD = 1.0  # seconds a warm-up task keeps its worker, so that the next one goes to another worker
STOP_GRACE = 3.0  # seconds a worker has to stop its kernels when the pool is closed


class PoolClosed(RuntimeError):
    """The pool is closed (its server stops): no notebook starts any more."""


def _init_kept_worker(threads: int, log_path: str | None, parent: int) -> None:
    """A run's worker set-up, and a watch on ``parent``: a worker outlives no server killed outright."""
    # the parent's pid as the parent knew it: one killed while this worker started is already gone here
    threading.Thread(target=_stop_with_parent, args=(parent,), name="grader-kept-parent", daemon=True).start()
    _init_worker(threads, log_path)


def _stop_with_parent(parent: int) -> None:
    """The parent killed (SIGKILL) leaves its workers: each stops its kernels and itself."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    print(f"grader worker {os.getpid()}: its parent ({parent}) is gone; stopping", file=sys.stderr, flush=True)
    # from this thread, not by a signal: the main thread may sit in a kernel's read that no signal interrupts
    kill_all_children()
    destroy_all()
    logging.shutdown()
    os._exit(128 + signal.SIGTERM)


def collect_kept(path: Path, context: GradingContext, status: Path | None = None, ahead: bool = False):
    """:func:`collect_task` with the next kernel always started ahead: a kept worker always gets another notebook."""
    return collect_task(path, context, status, ahead=True)


def warm_task(context: GradingContext) -> None:
    """In a worker: start a kernel for ``context``'s next notebook now, and hold the worker a moment."""
    worker_reserve().launch_ahead(context.assignment.execution, context.sandbox, context.dataset_dir)
    time.sleep(WARM_HOLD)


class KeptPool(LocalPool):
    """``jobs`` worker processes kept until :meth:`close`, each running kernels with ``threads`` threads.

    ``parent``: the process whose end stops the workers (default: this one).
    """

    def __init__(self, jobs: int, threads: int, log_path: Path | None = None, parent: int | None = None) -> None:
        super().__init__(jobs, log_path)
        self.threads, self.parent = max(1, threads), parent or os.getpid()
        self._lock = threading.Lock()
        self._shared: ProcessPoolExecutor | None = None
        self._own: set[ProcessPoolExecutor] = set()  # pools of the notebooks run again alone
        self._closed = False

    def open(self) -> None:
        """Nothing to reach: the workers start with the first notebook or :meth:`warm_up`."""

    def execute(self, paths: Mapping[str, Path], context: GradingContext, catalogue: Catalogue,
                progress: Progress) -> None:
        self.run_tasks(paths, functools.partial(collect_kept, context=context), self.threads, catalogue, progress)

    def pools(self, threads: int, catalogue: Catalogue) -> Callable[[int], contextlib.AbstractContextManager]:
        """The shared pool for a call's notebooks; a pool of their own for those a worker's death sends again."""
        first = [True]

        def make(size: int) -> contextlib.AbstractContextManager:
            if first:
                first.clear()
                return self._shared_pool()
            return self._own_pool(size)

        return make

    def warm_up(self, context: GradingContext) -> None:
        """Each worker starts a kernel for ``context``'s next notebook (an idle start's first upload only connects)."""
        try:
            pool = self._pool()
            for future in [pool.submit(warm_task, context) for _ in range(self.jobs)]:
                future.result()
        except Exception as exc:  # noqa: BLE001 - the first notebook then starts its own kernel
            log.info("no kernel started ahead: %s: %s", type(exc).__name__, exc)

    def close(self, grace: float = STOP_GRACE) -> None:
        """Stop every worker now (SIGTERM: each stops its kernels); kill with its tree one that outlives ``grace``.

        A notebook running then ends with an error; no other starts.
        """
        with self._lock:
            self._closed = True
            pools = [p for p in (self._shared, *self._own) if p is not None]
            self._shared = None
        # private, but the executor has no public way to stop its workers without waiting for them
        processes = [p for pool in pools for p in list((getattr(pool, "_processes", None) or {}).values())]
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        _terminate(processes, grace)

    # ------------------------------------------------------------ pools
    def _new(self, size: int) -> ProcessPoolExecutor:
        if self._closed:
            raise PoolClosed("the grading pool is closed")
        # spawn, not fork: TensorFlow does not survive a fork
        return ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_kept_worker,
                                   initargs=(self.threads, str(self.log_path) if self.log_path else None, self.parent))

    def _pool(self) -> ProcessPoolExecutor:
        """The shared pool (started when first needed)."""
        with self._lock:
            if self._shared is None:
                self._shared = self._new(self.jobs)
            return self._shared

    @contextlib.contextmanager
    def _shared_pool(self) -> Iterator[ProcessPoolExecutor]:
        pool = self._pool()
        try:
            yield pool
        finally:
            if getattr(pool, "_broken", False):  # a worker died: the pool takes no more notebooks
                with self._lock:
                    if self._shared is pool:
                        self._shared = None
                pool.shutdown(wait=False)

    @contextlib.contextmanager
    def _own_pool(self, size: int) -> Iterator[ProcessPoolExecutor]:
        with self._lock:
            pool = self._new(size)
            self._own.add(pool)
        try:
            with pool:
                yield pool
        finally:
            with self._lock:
                self._own.discard(pool)


def _terminate(processes: list, grace: float) -> None:
    """SIGTERM to each process, then its whole tree killed if it is still there after ``grace`` seconds."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive() and process.pid:
            kill_tree(process.pid)
