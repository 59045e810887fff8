"""The SQLite store: cache of execution facts and gradebook across runs.

Facts are stored under (notebook sha256, execution key, grader version): changing
points, thresholds or messages re-checks stored facts without executing again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from grader.facts import NotebookFacts
from grader.results import SubmissionResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    sha256 TEXT NOT NULL, execution_key TEXT NOT NULL, grader_version TEXT NOT NULL,
    facts TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (sha256, execution_key, grader_version)
);
CREATE TABLE IF NOT EXISTS grades (
    assignment TEXT NOT NULL, submission TEXT NOT NULL, sha256 TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, result TEXT NOT NULL, graded REAL NOT NULL,
    PRIMARY KEY (assignment, submission, sha256)
);
"""


def default_store_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grader" / "store.sqlite"


class Store:
    """A small wrapper around one SQLite file; safe to open from several processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get_facts(self, sha256: str, execution_key: str, grader_version: str) -> NotebookFacts | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT facts FROM facts WHERE sha256=? AND execution_key=? AND grader_version=?",
                (sha256, execution_key, grader_version),
            ).fetchone()
        return NotebookFacts.from_json(json.loads(row[0])) if row else None

    def put_facts(self, facts: NotebookFacts, execution_key: str, grader_version: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?)",
                (facts.sha256, execution_key, grader_version, json.dumps(facts.to_json()), time.time()),
            )

    def record_grade(self, assignment: str, result: SubmissionResult) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?, ?)",
                (assignment, result.id, result.sha256, result.score, result.max_score,
                 json.dumps(result.to_json()), time.time()),
            )

    def grades(self, assignment: str) -> list[SubmissionResult]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT result FROM grades WHERE assignment=? ORDER BY submission, graded", (assignment,)
            ).fetchall()
        return [SubmissionResult.from_json(json.loads(r[0])) for r in rows]
