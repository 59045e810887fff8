"""End to end: the example submissions of pytorch-treinamento, graded by real kernels and the judge.

One session-scoped run grades every example plus the reference (as a submission); the kernel
reads a small synthetic CIFAR-10 and never runs the full experiment ([[execution.skip]]); every
check is a ``torch_unit`` judged in the judge process. Expected outcomes are data:
``assignments/pytorch-treinamento/examples/expected.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.e2e.examples import (
    REFERENCE_ID,
    assert_checks_documented,
    assert_documented_outcome,
    assert_follows_the_contract,
    assert_reference_scores,
    expected_outcomes,
)

pytest.importorskip("torch", reason="pytorch-treinamento needs the grader's torch extra (pip install -e '.[torch]')")
pytest.importorskip("safetensors", reason="pytorch-treinamento needs the grader's torch extra")
pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "pytorch-treinamento"
EXPECTED = expected_outcomes(ASSIGNMENT.name)
SPEC = tomllib.loads((ASSIGNMENT / "assignment.toml").read_text(encoding="utf-8"))
TEMPLATE_ID = next(name for name in EXPECTED if "template" in name)


@pytest.fixture(scope="session")
def graded(graded_examples):
    return graded_examples(ASSIGNMENT.name)


def test_expected_outcomes_cover_every_check():
    assert_checks_documented(SPEC, EXPECTED, 20)


def test_results_json_follows_the_contract(graded):
    assert_follows_the_contract(graded, EXPECTED)


def test_reference_scores_the_maximum(graded):
    assert_reference_scores(graded, 20)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    assert_documented_outcome(graded, example, EXPECTED[example])


def test_untouched_template_scores_zero_and_runs_without_an_error(graded):
    template = graded.submission(TEMPLATE_ID)
    assert template["status"] == "graded" and template["score"] == 0
    assert not template["execution"]["cell_errors"], template["execution"]["cell_errors"]


@pytest.mark.parametrize("example", sorted(EXPECTED) + [REFERENCE_ID])
def test_the_full_experiment_is_excluded_not_timed_out(graded, example):
    execution = graded.submission(example)["execution"]
    assert not execution["timed_out"] and execution["cifar10"] == "synthetic"
    excluded = [c["cell"] for c in execution["excluded_cells"]]
    assert excluded == EXPECTED.get(example, EXPECTED["01-correta"])["excluded"], execution["excluded_cells"]
    if example != TEMPLATE_ID:
        assert not execution["cell_errors"], execution["cell_errors"]


def test_the_report_lists_the_unguarded_run_as_not_executed(graded):
    page = (graded.out / "08-experimento-sem-guarda" / "report.html").read_text(encoding="utf-8")
    assert "não executada na correção" in page and "inicia o treino completo" in page


def test_a_wrong_layer_is_named_in_the_student_s_report(graded):
    page = (graded.out / "06-camada-errada" / "report.html").read_text(encoding="utf-8")
    assert "1.409.290 parâmetros" in page and "1.278.218" in page


def test_the_units_are_judged_with_student_code_never_from_the_kernel(graded):
    reference = graded.submission(REFERENCE_ID)
    units = {c["id"]: c for c in reference["checks"]}
    assert units["p3-early-stopping"]["details"]["items"] == [
        {"item": "stops", "holds": True, "expected": 6, "best": 3, "actual": 6},
        {"item": "restores", "holds": True, "best": 3, "actual": 3.0}]
