"""End to end: the example submissions of mlp-multiclasse-binaria, graded by real kernels.

One session-scoped run grades every example plus the reference solution (as a
submission); the tests read its outputs. Expected outcomes are data:
``assignments/mlp-multiclasse-binaria/examples/expected.toml``. It exercises the grader's
evaluation on a declared two-group dataset (Vestuário vs Calçado/Malas), the
``callbacks``, ``compile_config`` and ``confusion_binarized`` check kinds.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.e2e.examples import (
    REFERENCE_ID,
    assert_checks_documented,
    assert_documented_outcome,
    assert_every_check_can_fail,
    assert_follows_the_contract,
    assert_reference_scores,
    assert_template_scores_zero,
    expected_outcomes,
)

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "mlp-multiclasse-binaria"
EXPECTED = expected_outcomes(ASSIGNMENT.name)
SPEC = tomllib.loads((ASSIGNMENT / "assignment.toml").read_text(encoding="utf-8"))
TEMPLATE_ID = next(name for name in EXPECTED if "template" in name)


@pytest.fixture(scope="session")
def graded(graded_examples):
    return graded_examples(ASSIGNMENT.name)


def _checks_of_kind(kind: str) -> list[dict]:
    return [c for c in SPEC["checks"] if c["kind"] == kind]


def test_expected_outcomes_cover_every_check():
    assert_checks_documented(SPEC, EXPECTED, 20)


def test_every_check_fails_in_some_example():
    assert_every_check_can_fail(SPEC, EXPECTED, TEMPLATE_ID)


def test_the_spec_uses_the_new_check_kinds_and_the_grouped_dataset():
    assert _checks_of_kind("callbacks") and _checks_of_kind("confusion_binarized")
    groups = SPEC["datasets"]
    (name,) = groups
    assert sorted(groups[name]["positive"]) == [0, 1, 2, 3, 4, 6]
    assert any(c.get("dataset") == name for c in _checks_of_kind("accuracy"))


def test_results_json_follows_the_contract(graded):
    assert_follows_the_contract(graded, EXPECTED)


def test_reference_scores_the_maximum(graded):
    assert_reference_scores(graded, 20)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    assert_documented_outcome(graded, example, EXPECTED[example])


def test_untouched_template_scores_zero_without_crashing(graded):
    assert_template_scores_zero(graded, TEMPLATE_ID)


def test_accuracies_are_measured_by_the_grader_on_both_datasets(graded):
    """The reference's multi-class model on 10 classes, its binary model on the two groups."""
    reference = graded.submission(REFERENCE_ID)
    accuracy = {c["id"]: c for c in reference["checks"] if c["kind"] == "accuracy"}
    datasets = {spec["id"]: spec.get("dataset", "fashion_mnist_test") for spec in _checks_of_kind("accuracy")}
    for check_id, result in accuracy.items():
        assert result["details"]["dataset"] == datasets[check_id]
        assert result["details"]["samples"] == 10000
        assert result["actual"] >= result["expected"]


def test_the_reference_binarization_sums_to_the_test_set(graded):
    facts = json.loads((graded.out / REFERENCE_ID / "facts.json").read_text(encoding="utf-8"))
    (check,) = _checks_of_kind("confusion_binarized")
    section = next(s for s in facts["sections"] if s["id"] == check["section"])
    names = check.get("variables", ["TN", "FP", "FN", "TP"])
    assert sum(section["values"][n] for n in names) == 10000
    used = {c["class_name"] for s in facts["sections"] for c in s["callbacks"] if c["used"]}
    assert {"ModelCheckpoint", "EarlyStopping"} <= used
