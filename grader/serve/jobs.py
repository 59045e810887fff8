"""The server's jobs, in the store's SQLite file: a restarted server finds its queue as it was.

A job is one uploaded notebook of one student for one assignment. States: ``queued``,
``running``, ``done`` (its facts kept in the row, an error in them or not). A job left
``running`` by a stopped server is queued again when the server starts.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from grader.store import BUSY_SECONDS, Store

JOBS_TABLE = """
CREATE TABLE IF NOT EXISTS serve_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL, assignment TEXT NOT NULL, mode TEXT NOT NULL, filename TEXT NOT NULL,
    notebook BLOB NOT NULL, sha256 TEXT NOT NULL, state TEXT NOT NULL,
    submitted REAL NOT NULL, started REAL, finished REAL, facts TEXT
);
"""
RELEASES_TABLE = """
CREATE TABLE IF NOT EXISTS serve_releases (assignment TEXT PRIMARY KEY, released REAL NOT NULL, by TEXT NOT NULL);
"""
COLUMNS = "id, student, assignment, mode, filename, sha256, state, submitted, started, finished, facts"


@dataclass(frozen=True)
class Job:
    id: int
    student: str
    assignment: str
    mode: str
    filename: str
    sha256: str
    state: str
    submitted: float
    started: float | None = None
    finished: float | None = None
    facts: str | None = None  # NotebookFacts JSON once done


@dataclass(frozen=True)
class Refusal:
    """Why an upload was not queued: a catalogue key and its parameters."""

    key: str
    params: dict


class JobQueue:
    """Jobs and releases in the store's file (tables of their own next to the store's)."""

    def __init__(self, path: Path, queue_limit: int) -> None:
        self.path = Path(path)
        Store(self.path)  # the store's own tables and migrations first
        self.queue_limit = queue_limit
        with closing(self._connect()) as db, db:
            db.execute(JOBS_TABLE)
            db.execute(RELEASES_TABLE)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=BUSY_SECONDS)

    def resume(self) -> int:
        """Queue again the jobs a stopped server had started; how many."""
        with closing(self._connect()) as db, db:
            return db.execute("UPDATE serve_jobs SET state='queued', started=NULL WHERE state='running'").rowcount

    def submit(self, student: str, assignment: str, mode: str, filename: str, notebook: bytes,
               cooldown: float = 0.0, now: float | None = None) -> Job | Refusal:
        """Queue a notebook, or say why not: one pending job per student, the queue's limit, the cooldown."""
        now = time.time() if now is None else now
        with closing(self._connect()) as db:
            db.isolation_level = None
            db.execute("BEGIN IMMEDIATE")  # the checks and the insert as one step among concurrent uploads
            try:
                refusal = self._refusal(db, student, assignment, mode, cooldown, now)
                if refusal is not None:
                    db.execute("ROLLBACK")
                    return refusal
                cursor = db.execute(
                    "INSERT INTO serve_jobs (student, assignment, mode, filename, notebook, sha256, state, submitted) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
                    (student, assignment, mode, filename, notebook, hashlib.sha256(notebook).hexdigest(), now))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return self.get(cursor.lastrowid)

    def _refusal(self, db, student, assignment, mode, cooldown, now) -> Refusal | None:
        pending = db.execute("SELECT COUNT(*) FROM serve_jobs WHERE student=? AND state IN ('queued', 'running')",
                             (student,)).fetchone()[0]
        if pending:
            return Refusal("serve.refused.pending", {})
        queued = db.execute("SELECT COUNT(*) FROM serve_jobs WHERE state='queued'").fetchone()[0]
        if queued >= self.queue_limit:
            return Refusal("serve.refused.queue_full", {"limit": self.queue_limit})
        if mode == "verificacao" and cooldown > 0:
            last = db.execute("SELECT MAX(submitted) FROM serve_jobs WHERE student=? AND assignment=? AND "
                              "mode='verificacao'", (student, assignment)).fetchone()[0]
            if last is not None and now - last < cooldown:
                return Refusal("serve.refused.cooldown", {"minutes": max(1, round((cooldown - (now - last)) / 60))})
        return None

    def claim(self) -> tuple[Job, bytes] | None:
        """The oldest queued job, now running, with its notebook; None when the queue is empty."""
        with closing(self._connect()) as db:
            db.isolation_level = None
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT id, notebook FROM serve_jobs WHERE state='queued' ORDER BY id LIMIT 1"
                                 ).fetchone()
                if row is not None:
                    db.execute("UPDATE serve_jobs SET state='running', started=? WHERE id=?", (time.time(), row[0]))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return (self.get(row[0]), row[1]) if row else None

    def finish(self, job_id: int, facts_json: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE serve_jobs SET state='done', finished=?, facts=? WHERE id=?",
                       (time.time(), facts_json, job_id))

    def get(self, job_id: int) -> Job | None:
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT {COLUMNS} FROM serve_jobs WHERE id=?", (job_id,)).fetchone()
        return Job(*row) if row else None

    def notebook(self, job_id: int) -> bytes | None:
        """The notebook the job was uploaded with."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT notebook FROM serve_jobs WHERE id=?", (job_id,)).fetchone()
        return row[0] if row else None

    def of_student(self, student: str, assignment: str | None = None) -> list[Job]:
        """A student's jobs, newest first (of one assignment, or all)."""
        query, params = f"SELECT {COLUMNS} FROM serve_jobs WHERE student=?", [student]
        if assignment is not None:
            query, params = query + " AND assignment=?", params + [assignment]
        with closing(self._connect()) as db:
            return [Job(*r) for r in db.execute(query + " ORDER BY id DESC", params)]

    def of_assignment(self, assignment: str, mode: str) -> list[Job]:
        """Every job of ``assignment`` sent in ``mode`` (the students' self-checks, their hand-ins), newest first."""
        with closing(self._connect()) as db:
            return [Job(*r) for r in db.execute(f"SELECT {COLUMNS} FROM serve_jobs WHERE assignment=? AND mode=? "
                                                 "ORDER BY id DESC", (assignment, mode))]

    def count(self, assignment: str, mode: str) -> int:
        """How many jobs of ``assignment`` were sent in ``mode``."""
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM serve_jobs WHERE assignment=? AND mode=?",
                              (assignment, mode)).fetchone()[0]

    def handed_in(self, assignment: str) -> dict[str, Job]:
        """Each student's last graded hand-in (mode ``entrega``) of ``assignment``."""
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM serve_jobs WHERE assignment=? AND mode='entrega' AND "
                              "state='done' ORDER BY id", (assignment,)).fetchall()
        return {job.student: job for job in (Job(*r) for r in rows)}

    def place(self, job: Job) -> int:
        """1 for the next job to start, 0 when ``job`` is not queued."""
        if job.state != "queued":
            return 0
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM serve_jobs WHERE state='queued' AND id<=?", (job.id,)).fetchone()[0]

    def release(self, assignment: str, by: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO serve_releases VALUES (?, ?, ?)", (assignment, time.time(), by))

    def released(self, assignment: str) -> float | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT released FROM serve_releases WHERE assignment=?", (assignment,)).fetchone()
        return row[0] if row else None
