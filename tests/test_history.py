"""Score history: what the rubric hash covers, which results become versions, the store a run noted."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.checks.base import default_registry
from grader.history import record_history, remember_store, remembered_store, rubric_hash
from grader.spec import load_assignment
from grader.store import Store
from tests.test_store import result

SPEC = Path(__file__).parents[1] / "assignments" / "cnn-pratica" / "assignment.toml"
REFERENCE = "9e" * 32


@pytest.fixture(scope="module")
def assignment():
    return load_assignment(SPEC, default_registry(SPEC.parent))


def _with_check(assignment, n: int, **changes):
    checks = list(assignment.checks)
    checks[n] = dataclasses.replace(checks[n], **changes)
    return dataclasses.replace(assignment, checks=tuple(checks))


def _with_params(assignment, n: int, **params):
    return _with_check(assignment, n, params={**assignment.checks[n].params, **params})


def _with_section(assignment, n: int, **changes):
    sections = list(assignment.sections)
    sections[n] = dataclasses.replace(sections[n], **changes)
    return dataclasses.replace(assignment, sections=tuple(sections))


@pytest.mark.parametrize("change", [
    lambda a: _with_check(a, 0, points=a.checks[0].points + 1),
    lambda a: _with_params(a, next(n for n, c in enumerate(a.checks) if c.kind == "accuracy"), threshold=0.99),
    lambda a: _with_check(a, 0, kind="value"),
    lambda a: _with_section(a, 0, bonus=not a.sections[0].bonus),
    lambda a: _with_section(a, 0, heading="(?i)outro"),
    lambda a: dataclasses.replace(a, execution=dataclasses.replace(a.execution, seed=7)),
    lambda a: dataclasses.replace(a, checks=a.checks[1:]),
], ids=["points", "threshold", "kind", "bonus", "heading", "seed", "a-check-removed"])
def test_what_decides_a_score_changes_the_rubric_hash(assignment, change):
    assert rubric_hash(change(assignment), REFERENCE) != rubric_hash(assignment, REFERENCE)


@pytest.mark.parametrize("change", [
    lambda a: _with_section(a, 0, title="Outro título"),
    lambda a: _with_check(a, 0, visibility="hidden"),
    lambda a: _with_check(a, 0, reveal="expected"),
    lambda a: dataclasses.replace(a, title="Outra"),
    lambda a: dataclasses.replace(a, execution=dataclasses.replace(a.execution, threads=2)),
    lambda a: dataclasses.replace(a, root="/elsewhere"),
], ids=["section-title", "visibility", "reveal", "title", "threads", "folder"])
def test_what_decides_no_score_leaves_the_rubric_hash(assignment, change):
    assert rubric_hash(change(assignment), REFERENCE) == rubric_hash(assignment, REFERENCE)


def test_another_reference_notebook_is_another_rubric(assignment):
    assert rubric_hash(assignment, "00" * 32) != rubric_hash(assignment, REFERENCE)


def test_only_graded_submissions_become_versions(tmp_path, assignment):
    store = Store(tmp_path / "store.sqlite")
    lost = dataclasses.replace(result("bia", 0.0, sha="44" * 32), status="error", error="the worker died")
    history = record_history(store, assignment, REFERENCE, [result("ana", 7.5), lost], "0.1.0")
    assert list(history) == ["ana"]
    assert history["ana"][0].rubric == rubric_hash(assignment, REFERENCE)
    again = record_history(store, assignment, REFERENCE, [result("ana", 7.5)], "0.1.0")
    assert len(again["ana"]) == 1  # the same notebook under the same rubric: no second version


def test_the_store_a_run_used_is_noted_in_out(tmp_path):
    store = tmp_path / "store.sqlite"
    Store(store)
    remember_store(tmp_path / "out", store)
    assert remembered_store(tmp_path / "out") == store.resolve()
    remember_store(tmp_path / "out", None)  # --no-store
    assert remembered_store(tmp_path / "out") is None
    assert remembered_store(tmp_path / "older-out") is None
