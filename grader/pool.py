"""Notebooks on a local pool of worker processes: a worker that dies costs only its own notebook.

A :class:`~concurrent.futures.ProcessPoolExecutor` whose worker dies (out of memory, a crash in
native code such as HDF5 parsing, ``os._exit``) is broken: every notebook still pending in it
fails with ``BrokenProcessPool``, and the pool stops the other workers too. Here the pool is
replaced and the notebooks go on: those no worker had started run in the new pool; those that
had started (the dead worker's among them) run again one at a time, each alone in a pool of one,
so that a death is pinned on its notebook. A notebook whose worker died :data:`WORKER_DEATHS`
times is reported as such (``submission.worker_died``) and not run again.
"""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import Executor, Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Iterator

from grader.messages import Catalogue

log = logging.getLogger(__name__)

WORKER_DEATHS = 2  # as on Dask (grader.distributed): one death may be the machine's, two are the notebook's
EMPTY_BREAKS = 2  # pools broken in a row before any notebook started: workers cannot start at all


class WorkerDied(Exception):
    """The worker processes executing one notebook died ``times`` times."""

    def __init__(self, times: int) -> None:
        super().__init__(f"the process executing this notebook died {times} times")
        self.times = times


def worker_death_reason(exc: BaseException, catalogue: Catalogue) -> str | None:
    """The plain reason for a notebook whose workers died, in ``catalogue``'s language; else ``None``."""
    if not isinstance(exc, WorkerDied):
        return None
    return catalogue("submission.worker_died", times=exc.times)


def run_started(marker: Path, task: Callable, path: Path, **kwargs):
    """In a worker: note which process took the notebook at ``path`` (``marker``), then run ``task`` on it."""
    marker.write_text(json.dumps({"pid": os.getpid(), "path": str(path)}), encoding="utf-8")
    return task(path, **kwargs)


class SurvivingPool:
    """The futures of ``paths``' notebooks as they complete, over as many pools as deaths require.

    ``make_pool(n)``: a new pool of ``n`` workers; ``task(path, status=, ahead=)``: what a worker
    runs for a notebook (picklable); ``markers``: a file per notebook that its worker writes when
    it starts it (the test of "had started"); ``statuses``: the progress files handed to ``task``.
    Iterate, then read each future's outcome with :meth:`result`.
    """

    def __init__(self, make_pool: Callable[[int], Executor], task: Callable, paths: dict[str, Path], jobs: int,
                 markers: dict[str, Path], statuses: dict[str, Path] | None = None) -> None:
        self.make_pool, self.task, self.paths, self.jobs = make_pool, task, paths, max(1, jobs)
        self.markers, self.statuses = markers, statuses or {}
        self.futures: dict[Future, str] = {}  # every future submitted -> its notebook's key
        self.deaths: dict[str, int] = {}
        self._died: set[Future] = set()  # the last future of each notebook reported as dead

    def __iter__(self) -> Iterator[Future]:
        queue, alone, empty_breaks = list(self.paths), [], 0
        while queue or alone:
            keys, size = (queue, self.jobs) if queue else (alone, 1)
            batch = list(keys)
            keys.clear()
            broken = yield from self._run(batch, min(size, len(batch)), ahead=len(batch) > size)
            if not broken:
                empty_breaks = 0
                continue
            started = [key for key, _ in broken if self.markers[key].exists()]
            empty_breaks = 0 if started else empty_breaks + 1
            if empty_breaks >= EMPTY_BREAKS:  # no worker can start: every notebook left fails with why
                log.error("the pool's workers die before running any notebook")
                yield from (future for _, future in broken)
                yield from self._unstarted(queue + alone)
                return
            log.warning("a grading worker died; running again: %s", ", ".join(k.lstrip("\0") for k in started))
            (queue if size > 1 else alone).extend(key for key, _ in broken if key not in started)
            if len(started) == 1:  # one notebook was running: the dead worker's, for certain
                key = started[0]
                self.deaths[key] = self.deaths.get(key, 0) + 1
                if self.deaths[key] >= WORKER_DEATHS:
                    future = next(f for k, f in broken if k == key)
                    self._died.add(future)
                    yield future
                    continue
            alone.extend(started)

    def _run(self, keys: list[str], size: int, ahead: bool):
        """Run ``keys`` in a new pool, yielding what completes; the ``(key, future)`` the pool's break took."""
        broken: list[tuple[str, Future]] = []
        with self.make_pool(size) as pool:
            current: dict[Future, str] = {}
            for n, key in enumerate(keys):
                self.markers[key].unlink(missing_ok=True)
                try:
                    # the last ``size`` notebooks are the workers' last: a kernel started after them would wait unused
                    future = pool.submit(run_started, self.markers[key], self.task, self.paths[key],
                                         status=self.statuses.get(key), ahead=ahead and n < len(keys) - size)
                except BrokenProcessPool as exc:  # broke while notebooks were handed out
                    future = Future()
                    future.set_exception(exc)
                current[future] = key
            self.futures.update(current)
            for future in as_completed(current):
                if isinstance(future.exception(), BrokenProcessPool):
                    broken.append((current[future], future))
                else:
                    yield future
        return broken

    def _unstarted(self, keys: list[str]) -> Iterator[Future]:
        for key in keys:
            future: Future = Future()
            future.set_exception(BrokenProcessPool("the pool's worker processes die before running a notebook"))
            self.futures[future] = key
            yield future

    def result(self, future: Future):
        """The outcome of ``future``: the task's result, or the exception it ended with (:class:`WorkerDied`)."""
        if future in self._died:
            raise WorkerDied(self.deaths[self.futures[future]])
        return future.result()
