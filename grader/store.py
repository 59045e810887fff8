"""The SQLite store: cache of execution facts and gradebook across runs.

Facts are stored under (notebook sha256, execution key, grader version): changing
points, thresholds or messages re-checks stored facts without executing again. Grades are
kept per version of a submission (notebook sha256, rubric hash; see :mod:`grader.history`).
The file says its schema version (``PRAGMA user_version``); an older store is migrated in
place when opened, its rows kept.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from grader.facts import NotebookFacts
from grader.results import SubmissionResult
from grader.serial import JsonData

RUBRIC_UNKNOWN = ""  # versions recorded before rubric hashes existed (a migrated store)


@dataclass(frozen=True)
class GradeVersion(JsonData):
    """One graded version of a submission: which notebook, under which rubric, what it scored and when."""

    sha256: str
    rubric: str
    score: float
    max_score: float
    final_score: float  # after the late penalty (``score`` when there was none)
    status: str  # graded | error
    grader_version: str
    graded: float  # first graded (seconds since the epoch)
    updated: float  # last recorded (a re-run or a re-render under the same rubric)


SCHEMA_VERSION = 3
FACTS_TABLE = """
CREATE TABLE IF NOT EXISTS facts (
    sha256 TEXT NOT NULL, execution_key TEXT NOT NULL, grader_version TEXT NOT NULL,
    facts TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (sha256, execution_key, grader_version)
);
"""
GRADES_TABLE = """
CREATE TABLE IF NOT EXISTS grades (
    assignment TEXT NOT NULL, submission TEXT NOT NULL, sha256 TEXT NOT NULL, rubric TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, final_score REAL NOT NULL, status TEXT NOT NULL,
    grader_version TEXT NOT NULL, result TEXT NOT NULL, graded REAL NOT NULL, updated REAL NOT NULL,
    PRIMARY KEY (assignment, submission, sha256, rubric)
);
"""
# schema 3: the similarity findings of a set of notebooks, so a re-check compares nothing again
SIMILARITY_TABLE = """
CREATE TABLE IF NOT EXISTS similarity (
    key TEXT PRIMARY KEY, findings TEXT NOT NULL, created REAL NOT NULL
);
"""
# schema 1 kept one grade per (assignment, submission, sha256), with no rubric, status or grader version
# (its rows: the rubric and the grader version unknown, the final score the score)
MIGRATE_1_TO_2 = f"""
ALTER TABLE grades RENAME TO grades_v1;
{GRADES_TABLE};
INSERT INTO grades SELECT assignment, submission, sha256, '{RUBRIC_UNKNOWN}', score, max_score, score, 'graded', '',
    result, graded, graded FROM grades_v1;
DROP TABLE grades_v1;
"""


BUSY_SECONDS = 60  # how long a process waits for another that holds the store


def _use_wal(db: sqlite3.Connection) -> None:
    """Put the store in WAL mode, waiting for another process that holds it.

    SQLite's busy timeout does not cover this pragma: on a new store that another ``grader
    run`` is creating (its write lock held), switching to WAL fails at once with "database is
    locked". Once the file is in WAL mode, the pragma needs no lock.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def default_store_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grader" / "store.sqlite"


class Store:
    """A small wrapper around one SQLite file; safe to open from several processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            _migrate(db)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        _use_wal(db)
        return db

    def get_facts(self, sha256: str, execution_key: str, grader_version: str) -> NotebookFacts | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT facts FROM facts WHERE sha256=? AND execution_key=? AND grader_version=?",
                (sha256, execution_key, grader_version),
            ).fetchone()
        return NotebookFacts.from_json(json.loads(row[0])) if row else None

    def get_similarity(self, key: str) -> dict | None:
        """The similarity findings (their JSON) stored under ``key``, or None."""
        with closing(self._connect()) as db:
            row = db.execute("SELECT findings FROM similarity WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_similarity(self, key: str, findings: dict) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO similarity VALUES (?, ?, ?)",
                       (key, json.dumps(findings, ensure_ascii=False), time.time()))

    def put_facts(self, facts: NotebookFacts, execution_key: str, grader_version: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)",
                (facts.sha256, execution_key, grader_version, json.dumps(facts.to_json()), time.time()),
            )

    def record_grade(self, assignment: str, result: SubmissionResult, rubric: str, grader_version: str) -> None:
        """Record ``result`` as the version (its notebook, ``rubric``) of its submission.

        The same version graded again replaces its score and keeps when it was first graded.
        """
        now = time.time()
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (assignment, submission, sha256, rubric) DO UPDATE SET score=excluded.score, "
                "max_score=excluded.max_score, final_score=excluded.final_score, status=excluded.status, "
                "grader_version=excluded.grader_version, result=excluded.result, updated=excluded.updated",
                (assignment, result.id, result.sha256, rubric, result.score, result.max_score, result.final_score,
                 result.status, grader_version, json.dumps(result.to_json()), now, now),
            )

    def grades(self, assignment: str) -> list[SubmissionResult]:
        """Every recorded version's result, by submission, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT result FROM grades WHERE assignment=? ORDER BY submission, graded", (assignment,)
            ).fetchall()
        return [SubmissionResult.from_json(json.loads(r[0])) for r in rows]

    def history(self, assignment: str) -> dict[str, tuple[GradeVersion, ...]]:
        """Each submission's graded versions, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT submission, sha256, rubric, score, max_score, final_score, status, grader_version, graded, "
                "updated FROM grades WHERE assignment=? ORDER BY submission, graded, rowid", (assignment,)
            ).fetchall()
        found: dict[str, list[GradeVersion]] = {}
        for submission, *fields in rows:
            found.setdefault(submission, []).append(GradeVersion(*fields))
        return {k: tuple(v) for k, v in found.items()}


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`, in one transaction that concurrent openers wait for."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return  # the usual case: no write lock taken
    db.isolation_level = None  # transactions by hand: BEGIN IMMEDIATE takes the write lock first
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version < 2 and "grades" in tables and "rubric" not in _columns(db, "grades"):
            for statement in MIGRATE_1_TO_2.split(";"):
                if statement.strip():
                    db.execute(statement)
        if version < SCHEMA_VERSION:
            db.execute(FACTS_TABLE)
            db.execute(GRADES_TABLE)
            db.execute(SIMILARITY_TABLE)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
