"""The SQLite store: facts cached by (sha256, execution key, grader version), and the gradebook."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from grader.facts import CellRecord, EvaluationFacts, LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.results import CheckResult, ExecutionSummary, SectionScore, SubmissionResult
from grader.spec import ExecutionSettings
from grader.history import GradeVersion
from grader.store import SCHEMA_VERSION, Store

SHA = "1f" * 32
KEY = ExecutionSettings().cache_key()
VERSION = "0.1.0"

FACTS = NotebookFacts(
    sha256=SHA,
    seconds=41.2,
    cells=(
        CellRecord(2, "desafio-3", "ok", seconds=30.5),
        CellRecord(3, "desafio-3", "error", "ValueError", "Input 0 is incompatible", "Traceback ..."),
        CellRecord(4, None, "not_run"),
    ),
    sections=(
        SectionFacts(
            "desafio-3", "Desafio 3: LeNet-5", cells=(2, 3),
            models=(
                ModelFacts(
                    key="desafio-3-0", section="desafio-3", order=0, names=("lenet5", "modelo"),
                    api="sequential", reconstructed=True, has_weights=True,
                    total_params=61706, trainable_params=61706, non_trainable_params=0,
                    input_shape=(None, 28, 28, 1), output_shape=(None, 10),
                    layers=(
                        LayerFacts("conv2d", "Conv2D", 156, 156, (None, 28, 28, 6), kind="conv", op="conv2d", width=6,
                                   kernel=(5, 5), stride=(1, 1), padding="same", activation="tanh"),
                        LayerFacts("pool", "AveragePooling2D", 0, 0, (None, 14, 14, 6), kind="pool", op="avg_pool2d",
                                   kernel=(2, 2)),
                        LayerFacts("drop", "Dropout", 0, 0, (None, 10), kind="dropout", op="dropout", rate=0.25),
                    ),
                    evaluations=(EvaluationFacts("fashion_mnist_test", 0.8731, 10000, "0-1", ((9, 1), (2, 8))),),
                    artifact_dir="/tmp/artifacts/desafio-3-0",
                ),
            ),
            values={"acc": 0.87, "historico": [0.5, 0.7], "nested": {"loss": 0.3}},
            answer_text="A CNN compartilha pesos.",
            attempted=True,
            harvested=True,
        ),
        SectionFacts("desafio-1", "Desafio 1", harvest_error="NameError: modelo_mlp"),
    ),
)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "cache" / "store.sqlite")


def result(submission="aluno", score=7.5, sha=SHA):
    return SubmissionResult(
        id=submission, path=f"{submission}.ipynb", sha256=sha, status="graded", score=score, max_score=20.0,
        sections=(SectionScore("desafio-1", score, 6.0, "Desafio 1"),),
        checks=(CheckResult("d1", "desafio-1", "executes", "passed", score, 6.0, "ok", expected={"a": 1}),),
        execution=ExecutionSummary(12.0),
    )


def test_facts_round_trip_through_the_store(store):
    store.put_facts(FACTS, KEY, VERSION)
    back = store.get_facts(SHA, KEY, VERSION)
    assert back == FACTS
    model = back.sections[0].models[0]
    assert isinstance(model.layers[0], LayerFacts) and model.layers[0].kernel == (5, 5)
    assert model.evaluation("fashion_mnist_test").accuracy == 0.8731


def test_store_survives_reopening(tmp_path):
    path = tmp_path / "store.sqlite"
    Store(path).put_facts(FACTS, KEY, VERSION)
    assert Store(path).get_facts(SHA, KEY, VERSION) == FACTS


@pytest.mark.parametrize(
    "sha, key, version",
    [
        ("00" * 32, KEY, VERSION),
        (SHA, ExecutionSettings(seed=7).cache_key(), VERSION),
        (SHA, KEY, "0.2.0"),
    ],
    ids=["other-notebook", "other-execution-key", "other-grader-version"],
)
def test_key_mismatch_misses(store, sha, key, version):
    store.put_facts(FACTS, KEY, VERSION)
    assert store.get_facts(sha, key, version) is None


def test_put_facts_replaces(store):
    store.put_facts(FACTS, KEY, VERSION)
    newer = NotebookFacts(SHA, seconds=1.0, error="kernel died")
    store.put_facts(newer, KEY, VERSION)
    assert store.get_facts(SHA, KEY, VERSION) == newer


RUBRIC = "ab" * 8


def test_grades_recorded_and_listed(store):
    store.record_grade("cnn-pratica", result("bruno", 9.0, sha="22" * 32), RUBRIC, VERSION)
    store.record_grade("cnn-pratica", result("ana", 7.5), RUBRIC, VERSION)
    store.record_grade("outro", result("carla", 1.0), RUBRIC, VERSION)
    grades = store.grades("cnn-pratica")
    assert [(g.id, g.score) for g in grades] == [("ana", 7.5), ("bruno", 9.0)]
    assert grades[0] == result("ana", 7.5)
    assert store.grades("nenhum") == []


def test_regrading_the_same_version_replaces_its_score_and_keeps_when_it_was_first_graded(store):
    store.record_grade("cnn-pratica", result("ana", 7.5), RUBRIC, VERSION)
    first = store.history("cnn-pratica")["ana"][0]
    store.record_grade("cnn-pratica", result("ana", 8.0), RUBRIC, "0.2.0")  # a decision, a newer grader
    [again] = store.history("cnn-pratica")["ana"]
    assert (again.score, again.grader_version, again.graded) == (8.0, "0.2.0", first.graded)
    assert again.updated >= first.updated
    assert [(g.id, g.score) for g in store.grades("cnn-pratica")] == [("ana", 8.0)]


def test_each_notebook_and_each_rubric_is_a_version_of_its_own(store):
    store.record_grade("cnn-pratica", result("ana", 5.0), RUBRIC, VERSION)
    store.record_grade("cnn-pratica", result("ana", 7.5, sha="33" * 32), RUBRIC, VERSION)  # handed in again
    store.record_grade("cnn-pratica", result("ana", 6.0, sha="33" * 32), "cd" * 8, VERSION)  # points changed
    store.record_grade("cnn-pratica", result("bia", 3.0), RUBRIC, VERSION)
    history = store.history("cnn-pratica")
    assert [(v.sha256[:2], v.rubric[:2], v.score) for v in history["ana"]] == [
        ("1f", "ab", 5.0), ("33", "ab", 7.5), ("33", "cd", 6.0)]  # oldest first
    assert [v.score for v in history["bia"]] == [3.0]
    assert history["ana"][0] == GradeVersion(SHA, RUBRIC, 5.0, 20.0, 5.0, "graded", VERSION,
                                             history["ana"][0].graded, history["ana"][0].graded)
    assert store.history("outro") == {}


# the store as grader 0.1 wrote it: one grade per (assignment, submission, sha256), no rubric
SCHEMA_1 = """
CREATE TABLE facts (
    sha256 TEXT NOT NULL, execution_key TEXT NOT NULL, grader_version TEXT NOT NULL,
    facts TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (sha256, execution_key, grader_version)
);
CREATE TABLE grades (
    assignment TEXT NOT NULL, submission TEXT NOT NULL, sha256 TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, result TEXT NOT NULL, graded REAL NOT NULL,
    PRIMARY KEY (assignment, submission, sha256)
);
"""


def test_a_schema_1_store_is_migrated_with_its_facts_and_grades(tmp_path):
    path = tmp_path / "old.sqlite"
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(SCHEMA_1)
        db.execute("INSERT INTO facts VALUES (?, ?, ?, ?, ?)", (SHA, KEY, VERSION, json.dumps(FACTS.to_json()), 1.0))
        db.execute("INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ("cnn-pratica", "ana", SHA, 7.5, 20.0, json.dumps(result("ana", 7.5).to_json()), 1000.0))
    store = Store(path)
    assert store.get_facts(SHA, KEY, VERSION) == FACTS
    assert store.grades("cnn-pratica") == [result("ana", 7.5)]
    [old] = store.history("cnn-pratica")["ana"]
    assert (old.rubric, old.grader_version, old.score, old.final_score, old.graded) == ("", "", 7.5, 7.5, 1000.0)
    store.record_grade("cnn-pratica", result("ana", 9.0), RUBRIC, VERSION)  # the same notebook, a known rubric now
    assert [(v.rubric, v.score) for v in Store(path).history("cnn-pratica")["ana"]] == [("", 7.5), (RUBRIC, 9.0)]
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")} == {"facts", "grades", "similarity"}


def test_a_new_store_says_its_schema_version(store):
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_schema_2_store_gains_the_similarity_table_and_keeps_its_rows(tmp_path):
    path = tmp_path / "store.sqlite"
    Store(path).put_facts(FACTS, KEY, VERSION)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE similarity")
        db.execute("PRAGMA user_version = 2")
    store = Store(path)
    assert store.get_facts(SHA, KEY, VERSION) == FACTS
    store.put_similarity("k", {"pairs": []})
    assert store.get_similarity("k") == {"pairs": []} and store.get_similarity("other") is None


def test_a_new_store_another_process_is_creating_is_waited_for(tmp_path):
    """Two `grader run`s on one new store: the second's switch to WAL must wait, not fail with "locked"."""
    import threading

    path = tmp_path / "store.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the other run, creating the tables in its first transaction
    other.execute("CREATE TABLE being_created (x)")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        store = Store(path)
    finally:
        release.join()
        other.close()
    assert store.get_facts("0" * 64, "key", VERSION) is None
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
