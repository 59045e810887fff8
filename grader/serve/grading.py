"""The server's grading workers: jobs taken from the queue, executed in worker processes.

Worker threads of the server take queued jobs one at a time and hand each notebook to a
pool of spawned processes (the server never imports TensorFlow), each writing the cell its
kernel runs to a status file the progress page reads. A worker process that dies fails its
job with the reason, and the pool is replaced. The reference solution of each assignment is
executed once, through the same pool, and kept (the store caches its facts across restarts).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from grader.execute.reaper import kill_tree
from grader.facts import NotebookFacts
from grader.grade import GradingContext
from grader.serve.execution import init_worker, notebook_facts, warm_up
from grader.serve.jobs import Job, JobQueue

log = logging.getLogger(__name__)
STOP_GRACE = 3.0  # seconds a worker has to stop its kernels when the server stops
IDLE_WAIT = 0.5  # seconds a worker thread sleeps when the queue is empty (a new upload wakes it)


class Grader:
    """Takes queued jobs and grades them on ``workers`` processes; ``start``/``stop`` with the server."""

    def __init__(self, queue: JobQueue, contexts: dict[str, GradingContext], workers: int,
                 log_path: Path | None = None) -> None:
        self.queue, self.contexts, self.workers, self.log_path = queue, contexts, workers, log_path
        self._pool_lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._references: dict[str, NotebookFacts] = {}
        self._reference_lock = threading.Lock()
        self._stop = threading.Event()
        self.wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._status_dir = Path(tempfile.mkdtemp(prefix="grader-serve-"))
        self.started: dict[int, float] = {}

    def start(self) -> None:
        resumed = self.queue.resume()
        if resumed:
            log.info("%d job(s) a stopped server had started are queued again", resumed)
        for n in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"grader-serve-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        threading.Thread(target=self._warm_references, name="grader-serve-reference", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        with self._pool_lock:
            if self._pool is not None:
                processes = list((getattr(self._pool, "_processes", None) or {}).values())  # gone after shutdown
                self._pool.shutdown(wait=False, cancel_futures=True)
                _terminate(processes)
        shutil.rmtree(self._status_dir, ignore_errors=True)

    # ------------------------------------------------------------ execution
    def _executor(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                threads = max(1, min(int(c.assignment.execution.threads) for c in self.contexts.values()))
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=init_worker,
                                                 initargs=(threads, str(self.log_path) if self.log_path else None,
                                                           os.getpid()))
            return self._pool

    def _execute(self, path: Path, context: GradingContext, status: Path | None) -> NotebookFacts:
        pool = self._executor()
        try:
            return NotebookFacts.from_json(json.loads(pool.submit(notebook_facts, path, context, status).result()))
        except BrokenProcessPool as exc:
            with self._pool_lock:
                if self._pool is pool:
                    self._pool = None  # replaced at the next notebook
            log.error("a grading process died on %s", path.name)
            return NotebookFacts(sha256="0" * 64, error=f"the grading process died: {exc}")

    def reference(self, assignment: str) -> NotebookFacts:
        """The reference solution's facts (executed once; stored facts when the store has them)."""
        with self._reference_lock:
            if assignment not in self._references:
                context = self.contexts[assignment]
                facts = self._execute(context.assignment.reference_path, context, None)
                if facts.error is not None:
                    log.error("the reference of %s failed: %s", assignment, facts.error)
                    return facts  # tried again for the next job
                self._references[assignment] = facts
            return self._references[assignment]

    def _warm_references(self) -> None:
        for assignment in self.contexts:
            if self._stop.is_set():
                return
            self.reference(assignment)
        self._warm_kernels()

    def _warm_kernels(self) -> None:
        """Each worker process starts a kernel for the first assignment's next upload (kept ready while idle)."""
        if self._stop.is_set() or not self.contexts:
            return
        context = next(iter(self.contexts.values()))
        try:
            pool = self._executor()
            for future in [pool.submit(warm_up, context) for _ in range(self.workers)]:
                future.result()
        except Exception as exc:  # noqa: BLE001 - the first upload then starts its own kernel
            log.info("no kernel started ahead: %s: %s", type(exc).__name__, exc)

    def _loop(self) -> None:
        while not self._stop.is_set():
            claimed = self.queue.claim()
            if claimed is None:
                self.wake.wait(IDLE_WAIT)
                self.wake.clear()
                continue
            job, notebook = claimed
            self._grade(job, notebook)

    def _grade(self, job: Job, notebook: bytes) -> None:
        folder = self._status_dir / str(job.id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "submission.ipynb"
        path.write_bytes(notebook)
        try:
            self.reference(job.assignment)  # before the student's notebook: scoring needs it
            facts = self._execute(path, self.contexts[job.assignment], self.status_path(job.id))
        except Exception as exc:  # noqa: BLE001 — the job's error, kept in its facts; the server goes on
            log.error("grading job %d failed", job.id, exc_info=exc)
            facts = NotebookFacts(sha256=job.sha256, error=f"{type(exc).__name__}: {exc}")
        if self._stop.is_set():
            return  # stopped mid-job: left running, queued again at the next start
        self.queue.finish(job.id, json.dumps(facts.to_json()))
        shutil.rmtree(folder, ignore_errors=True)

    def status_path(self, job_id: int) -> Path:
        return self._status_dir / str(job_id) / "status.json"

    def current_cell(self, job_id: int) -> int | None:
        """The cell (1-based) the job's kernel is executing, when it says."""
        try:
            return int(json.loads(self.status_path(job_id).read_text(encoding="utf-8"))["cell"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _terminate(processes: list, grace: float = STOP_GRACE) -> None:
    """Stop the pool's processes now (SIGTERM: each stops its kernels), killing with their trees those that linger.

    A stopping server waits for no notebook: its job stays ``running`` and is queued again at the next start.
    """
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive() and process.pid:
            kill_tree(process.pid)
