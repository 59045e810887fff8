"""The Dask backend: notebooks on a Dask distributed cluster (``grader run --scheduler ADDRESS``).

Workers share no file system with this machine: each gets a notebook's bytes and the
assignment as data (:mod:`grader.remote`); facts come back and are stored here as each
notebook finishes. The reference solution is never sent: it runs here, on a local pool of
one. A task that raised is retried once; one whose worker died, once on another worker
(:mod:`grader.distributed`); then it is reported as that notebook's error.
"""

from __future__ import annotations

import contextlib
import functools
from concurrent.futures import as_completed
from pathlib import Path
from typing import Callable, Iterator, Mapping

from grader.backends.base import Progress, Running, gather
from grader.backends.local import collect_task, process_pool
from grader.distributed import DaskScheduler
from grader.facts import NotebookFacts
from grader.grade import GradingContext
from grader.interrupt import stopped_on_interrupt
from grader.messages import Catalogue, Phrase


class DaskBackend:
    """The cluster of ``scheduler``; the reference's worker here writes its output to ``log_path``."""

    def __init__(self, scheduler: DaskScheduler, log_path: Path | None = None) -> None:
        self.scheduler, self.log_path = scheduler, log_path
        self._held: tuple[contextlib.ExitStack, object] | None = None  # a server's connection, while open

    def where(self) -> Phrase:
        return Phrase("cli.run.where_dask", {"address": self.scheduler.address})

    def open(self) -> None:
        """Connect now and keep the connection until :meth:`close` (a server's); a usage error when unreachable."""
        from grader.distributed import dask_client

        stack = contextlib.ExitStack()
        self._held = (stack, stack.enter_context(dask_client(self.scheduler)))

    def warm_up(self, context: GradingContext) -> None:
        """Nothing here: the cluster's workers start their kernels themselves."""

    def close(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held[0].close()

    @contextlib.contextmanager
    def _client(self) -> Iterator[object]:
        """The connection kept open, else one for this call (``grader run``)."""
        from grader.distributed import dask_client

        if self._held is not None:
            yield self._held[1]
            return
        with dask_client(self.scheduler) as client:
            yield client

    def execute(self, paths: Mapping[str, Path], context: GradingContext, catalogue: Catalogue,
                progress: Progress) -> None:
        from grader.distributed import TASK_RETRIES, lost_worker_reason
        from grader.grade import execution_key
        from grader.remote import ShippedAssignment, collect_remote
        from grader.store import Store
        from grader.version import __version__

        local = {key: path for key, path in paths.items() if key.startswith("\0")}  # the reference solution
        store = Store(context.store_path) if context.store_path else None
        facts_key = execution_key(context.assignment, context.sandbox.level)
        # stored notebooks were taken before (collect_all): every one left here executes
        pending = {key: path for key, path in paths.items() if key not in local}
        names = {key: f"grader-{n}-{path.name}" for n, (key, path) in enumerate(pending.items())}
        with process_pool(1, context.assignment.execution.threads, self.log_path) as pool, \
                stopped_on_interrupt(pool, catalogue), self._client() as client:
            here = {pool.submit(collect_task, path, context): key for key, path in local.items()}
            # by value in every task, not scattered once: Dask's memory manager drops the extra copies
            # of a scattered value, and a worker would then wait on a busy peer for it before each notebook
            shipped = ShippedAssignment.of(context)

            def submit(key: str, path: Path):
                return client.submit(collect_remote, path.name, path.read_bytes(), shipped, key=names[key],
                                     pure=False, retries=TASK_RETRIES)

            window = OnePerThread(client, submit, pending)

            def stored(future) -> tuple[dict, bool]:
                """A notebook's facts, stored here as soon as they arrive: a killed run loses none."""
                facts_json, cached = window.result(future)
                facts = NotebookFacts.from_json(facts_json)
                if store is not None and facts.error is None:
                    store.put_facts(facts, facts_key, __version__)
                return facts_json, cached

            gather(window.futures, window, progress, total=len(pending), running=window.running, result=stored,
                   explain=functools.partial(lost_worker_reason, catalogue=catalogue))
            gather(here, as_completed(here), progress, total=len(here), result=lambda future: future.result(),
                   running=lambda: [Running(key) for future, key in here.items() if future.running()])


class OnePerThread:
    """Dask futures as they complete, with no more notebooks on the cluster than its workers have threads.

    Each worker thread holds the one notebook it executes: a worker that dies takes no queued
    notebook with it (Dask would count that death against it too), and the notebooks' bytes
    wait here rather than in the scheduler's memory. A thread that finishes gets the next
    notebook before this process reads the facts of the last one, and those facts are
    fetched in the background as each task ends, so that no worker waits on this process.
    """

    def __init__(self, client, submit: Callable[[str, Path], object], pending: Mapping[str, Path]) -> None:
        from distributed import as_completed as dask_completed

        self.client, self.submit = client, submit
        self.futures: dict = {}  # every future submitted -> its notebook's key
        self._queue = iter(pending.items())
        # on this client's event loop: another Dask client in the process may be the default one
        self._completed = dask_completed(with_results=True, raise_errors=False, loop=client.loop)
        self._in_flight: set = set()
        self._outcomes: dict = {}

    def running(self) -> list[Running]:
        """The notebooks on the cluster now: one per worker thread, so each is running (or about to)."""
        keys = sorted((self.futures[future] for future in list(self._in_flight)), key=lambda k: (k[:1] == "\0", k))
        return [Running(key) for key in keys]

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
