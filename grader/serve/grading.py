"""The server's grading threads: jobs taken from the queue, executed on the run's backend.

Each of ``workers`` threads takes one queued job at a time and has its notebook executed as
``grader run`` has a submission executed: :func:`grader.schedule.collect_all` on a backend
(:mod:`grader.backends`), the local workers the server keeps (:class:`KeptPool`, a kernel
started ahead in each) or a Dask cluster (``--scheduler``). Stored facts are taken, not
executed again. The reference solution of each assignment is executed once the same way and
kept (the store keeps its facts across restarts). Scoring happens when a page is read, in its
reader's language (:mod:`grader.serve.views`).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Callable

from grader.backends import LastingBackend, Running
from grader.facts import NotebookFacts
from grader.grade import GradingContext
from grader.grading import REFERENCE_KEY
from grader.messages import load_catalogue
from grader.schedule import collect_all
from grader.serve.jobs import Job, JobQueue

log = logging.getLogger(__name__)
IDLE_WAIT = 0.5  # seconds a grading thread sleeps when the queue is empty (a new upload wakes it)
STORED_LANG = "pt"  # the language of the reasons kept in a job's facts (a worker's death): the course's


class JobProgress:
    """What the backend tells of one job's notebook: which cell its kernel is at, while it runs."""

    def __init__(self) -> None:
        self._running: Callable[[], list[Running]] = list

    def started(self, total: int, running: Callable[[], list[Running]]) -> None:
        self._running = running

    def finished(self, key: str, facts: NotebookFacts, cached: bool) -> None:
        pass

    def ended(self) -> None:
        self._running = list

    def cell(self) -> int | None:
        return next((r.cell for r in self._running() if r.cell), None)


class Grader:
    """Takes queued jobs and has them executed on ``backend`` by ``workers`` threads; ``start``/``stop`` with the server."""

    def __init__(self, queue: JobQueue, contexts: dict[str, GradingContext], backend: LastingBackend,
                 workers: int) -> None:
        self.queue, self.contexts, self.backend, self.workers = queue, contexts, backend, workers
        self.catalogue = load_catalogue(STORED_LANG)
        self._references: dict[str, NotebookFacts] = {}
        self._reference_lock = threading.Lock()
        self._stop = threading.Event()
        self.wake = threading.Event()
        self._progress: dict[int, JobProgress] = {}
        self._folder = Path(tempfile.mkdtemp(prefix="grader-serve-"))

    def start(self) -> None:
        resumed = self.queue.resume()
        if resumed:
            log.info("%d job(s) a stopped server had started are queued again", resumed)
        for n in range(self.workers):
            threading.Thread(target=self._loop, name=f"grader-serve-{n}", daemon=True).start()
        threading.Thread(target=self._warm_up, name="grader-serve-reference", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        self.backend.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    # ------------------------------------------------------------ execution
    def _execute(self, key: str, path: Path, context: GradingContext,
                 progress: JobProgress | None = None) -> NotebookFacts:
        collected = collect_all({key: path}, context, self.backend, self.catalogue, use_cache=True,
                                progress=progress or JobProgress())
        return collected[key][0]

    def reference(self, assignment: str) -> NotebookFacts:
        """The reference solution's facts (executed once; stored facts when the store has them)."""
        with self._reference_lock:
            if assignment not in self._references:
                context = self.contexts[assignment]
                facts = self._execute(REFERENCE_KEY, context.assignment.reference_path, context)
                if facts.error is not None:
                    log.error("the reference of %s failed: %s", assignment, facts.error)
                    return facts  # tried again for the next job
                self._references[assignment] = facts
            return self._references[assignment]

    def _warm_up(self) -> None:
        """The references first (scoring needs them), then a kernel ready for the first assignment's next upload."""
        try:
            for assignment in self.contexts:
                if self._stop.is_set():
                    return
                self.reference(assignment)
            if self.contexts and not self._stop.is_set():
                self.backend.warm_up(next(iter(self.contexts.values())))
        except Exception as exc:  # noqa: BLE001 - each job asks for its reference again, and says what fails
            log.error("warming up failed: %s: %s", type(exc).__name__, exc)

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
        folder = self._folder / str(job.id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "submission.ipynb"
        path.write_bytes(notebook)
        progress = self._progress[job.id] = JobProgress()
        try:
            self.reference(job.assignment)  # before the student's notebook: scoring needs it
            facts = self._execute(f"job-{job.id}", path, self.contexts[job.assignment], progress)
        except Exception as exc:  # noqa: BLE001 — the job's error, kept in its facts; the server goes on
            log.error("grading job %d failed", job.id, exc_info=exc)
            facts = NotebookFacts(sha256=job.sha256, error=f"{type(exc).__name__}: {exc}")
        finally:
            self._progress.pop(job.id, None)
        if self._stop.is_set():
            return  # stopped mid-job: left running, queued again at the next start
        self.queue.finish(job.id, json.dumps(facts.to_json()))
        shutil.rmtree(folder, ignore_errors=True)

    def current_cell(self, job_id: int) -> int | None:
        """The cell (1-based) the job's kernel is executing, when the backend can tell."""
        progress = self._progress.get(job_id)
        return progress.cell() if progress is not None else None
