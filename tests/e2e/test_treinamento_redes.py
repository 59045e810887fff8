"""End to end: the example submissions of treinamento-redes, graded by real kernels.

One session-scoped run grades every example plus the reference solution (as a
submission); the tests read its outputs. Expected outcomes are data:
``assignments/treinamento-redes/examples/expected.toml``. It exercises ``compile_config``
(SGD with Nesterov momentum, Adam), ``function`` checks with hidden inputs (scheduler,
XOR predictions, one Adam step) and ``decreasing`` (the XOR loss).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.e2e.examples import (
    REFERENCE_ID,
    assert_checks_documented,
    assert_documented_outcome,
    assert_every_check_can_fail,
    assert_follows_the_contract,
    assert_no_hidden_input_in_reports,
    assert_reference_scores,
    assert_template_scores_zero,
    expected_outcomes,
    hidden_texts,
)

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "treinamento-redes"
EXPECTED = expected_outcomes(ASSIGNMENT.name)
SPEC = tomllib.loads((ASSIGNMENT / "assignment.toml").read_text(encoding="utf-8"))
TEMPLATE_ID = next(name for name in EXPECTED if "template" in name)


@pytest.fixture(scope="session")
def graded(graded_examples):
    return graded_examples(ASSIGNMENT.name)


def test_expected_outcomes_cover_every_check():
    assert_checks_documented(SPEC, EXPECTED, 20)


def test_every_check_fails_in_some_example():
    assert_every_check_can_fail(SPEC, EXPECTED, TEMPLATE_ID)


def test_the_spec_checks_both_optimizers_and_hidden_inputs():
    optimizers = {c["optimizer"].lower() for c in SPEC["checks"] if c["kind"] == "compile_config"}
    assert {"sgd", "adam"} <= optimizers
    functions = {c["function"] for c in SPEC["checks"] if c["kind"] == "function" and c.get("hidden_inputs")}
    assert {"scheduler", "passo_adam"} <= functions


def test_results_json_follows_the_contract(graded):
    assert_follows_the_contract(graded, EXPECTED)


def test_reference_scores_the_maximum(graded):
    assert_reference_scores(graded, 20)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    assert_documented_outcome(graded, example, EXPECTED[example])


def test_untouched_template_scores_zero_without_crashing(graded):
    assert_template_scores_zero(graded, TEMPLATE_ID)


def test_hidden_inputs_never_appear_in_a_report(graded):
    texts = hidden_texts(SPEC)
    assert len(texts) > 5
    assert_no_hidden_input_in_reports(graded, texts)


def test_the_reference_sgd_is_read_from_its_compiled_model(graded):
    reference = graded.submission(REFERENCE_ID)
    sgd = next(c for c in reference["checks"] if c["kind"] == "compile_config" and c["expected"]["optimizer"] == "SGD")
    assert sgd["actual"]["optimizer"] == "SGD" and sgd["actual"]["nesterov"] is True
    assert sgd["actual"]["momentum"] == pytest.approx(0.9)
