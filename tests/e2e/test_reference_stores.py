"""The session's reference facts: a later run of an assignment starts from the first run's stored reference."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from grader.notebook import sha256_file
from grader.store import Store
from tests.e2e.examples import ROOT, ReferenceStores


def _rows(store) -> list[tuple]:
    with closing(sqlite3.connect(store)) as db:
        return db.execute("SELECT sha256, execution_key, facts FROM facts ORDER BY sha256").fetchall()


def test_only_the_reference_facts_of_the_same_assignment_are_carried_over(tmp_path):
    first, later, other = tmp_path / "a.sqlite", tmp_path / "b.sqlite", tmp_path / "c.sqlite"
    Store(first)
    reference = sha256_file(ROOT / "reference" / "cnn-pratica.ipynb")
    with closing(sqlite3.connect(first)) as db, db:
        db.execute("INSERT INTO facts VALUES (?, 'key', 'v', '{\"r\": 1}', 0)", (reference,))
        db.execute("INSERT INTO facts VALUES ('a-submission', 'key', 'v', '{\"s\": 1}', 0)")
    stores = ReferenceStores()
    stores.seed("cnn-pratica", later)  # nothing kept yet: nothing to carry
    assert not later.exists() or _rows(later) == []
    stores.keep("cnn-pratica", first)
    stores.keep("cnn-pratica", other)  # the first store stays the source
    stores.seed("cnn-pratica", later)
    assert _rows(later) == [(reference, "key", '{"r": 1}')]  # the submission's facts stay behind
    stores.seed("relu-exercicios", other)  # no run of that assignment yet
    assert not other.exists()
