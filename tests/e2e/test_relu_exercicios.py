"""End to end: the example submissions of relu-exercicios, graded by real kernels.

One session-scoped run grades every example plus the reference solution (as a
submission); the tests read its outputs. Expected outcomes are data:
``assignments/relu-exercicios/examples/expected.toml``. The assignment is NumPy only, so
the whole run takes seconds; it exercises the ``function`` check kind (student functions
called on visible and hidden inputs) next to ``value``, ``executes`` and ``answer_text``.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest

from grader.cli import main
from grader.run import run
from tests.e2e.examples import (
    assert_checks_documented,
    assert_documented_outcome,
    assert_every_check_can_fail,
    assert_no_hidden_input_in_reports,
    assert_follows_the_contract,
    assert_reference_scores,
    assert_template_scores_zero,
    expected_outcomes,
    hidden_texts,
)

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "relu-exercicios"
EXAMPLES = ASSIGNMENT / "examples"
EXPECTED = expected_outcomes(EXAMPLES.parent.name)
SPEC = tomllib.loads((ASSIGNMENT / "assignment.toml").read_text(encoding="utf-8"))
TEMPLATE_ID = "05-template-intocado"
# Texts too common to prove a leak (zero appears in every report); no hidden input is
# identified by them alone.
COMMON = {"0.0", "-0.0", "0", "-0"}


def _hidden_texts() -> list[str]:
    return hidden_texts(SPEC, COMMON)


@pytest.fixture(scope="session")
def graded(graded_examples):
    """All examples and the reference, graded once: (out folder, results, store, submissions)."""
    return graded_examples("relu-exercicios")


def _submission(results: dict, sub_id: str) -> dict:
    return next(s for s in results["submissions"] if s["id"] == sub_id)


def test_expected_outcomes_cover_every_check():
    assert_checks_documented(SPEC, EXPECTED, 20)


def test_results_json_follows_the_contract(graded):
    assert_follows_the_contract(graded, EXPECTED)


def test_reference_scores_the_maximum(graded):
    assert_reference_scores(graded, 20)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    assert_documented_outcome(graded, example, EXPECTED[example])


def test_untouched_template_scores_zero_without_crashing(graded):
    assert_template_scores_zero(graded, TEMPLATE_ID)


def test_every_check_fails_in_some_example():
    """Each check can fail: some example documents it as failed, partial or review."""
    assert_every_check_can_fail(SPEC, EXPECTED, TEMPLATE_ID)


def test_function_checks_credit_the_fraction_of_inputs(graded):
    _, results, _, _ = graded
    relu = next(c for c in _submission(results, "02-relu-so-listas")["checks"] if c["id"] == "ex1-relu")
    assert relu["status"] == "partial" and relu["score"] == pytest.approx(1.0)  # 2 of 4 inputs, 2 points
    conv = next(c for c in _submission(results, "06-conv-quadrada-e-erro")["checks"] if c["id"] == "ex2-conv2d")
    assert conv["status"] == "partial" and conv["score"] == pytest.approx(1.0)  # 2 of 5 inputs, 2.5 points


def test_hidden_inputs_never_appear_in_a_report(graded):
    texts = _hidden_texts()
    assert "1e-09" in texts and "-1000000000.0" in texts and len(texts) > 20
    assert_no_hidden_input_in_reports(graded, texts)


def test_reports_and_grade_sheet_are_written(graded):
    out, results, _, _ = graded
    index = (out / "index.html").read_text(encoding="utf-8")
    for sub in results["submissions"]:
        html = (out / sub["report"]).read_text(encoding="utf-8")
        assert sub["id"] in html and "http://" not in html and "https://" not in html
        assert sub["report"] in index
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert {r["id"]: float(r["score"]) for r in rows} == {s["id"]: s["score"] for s in results["submissions"]}
    error = (out / "06-conv-quadrada-e-erro" / "report.html").read_text(encoding="utf-8")
    assert "NameError" in error and "pre_ativacao_4" in error


def test_a_second_run_reuses_stored_facts(graded, tmp_path, dataset_dir):
    _, results, store, submissions = graded
    again = run(submissions=submissions, assignment="relu-exercicios", out=tmp_path / "again", jobs=2,
                data_dir=dataset_dir, store=store)
    assert all(s.cached for s in again.results.submissions)
    assert {s.id: s.score for s in again.results.submissions} == {s["id"]: s["score"] for s in results["submissions"]}


def test_student_self_check_shows_no_hidden_input(graded, tmp_path, dataset_dir, capsys):
    _, _, store, submissions = graded
    args = ["check", str(submissions / "02-relu-so-listas.ipynb"), "--assignment", "relu-exercicios",
            "--store", str(store), "--data-dir", str(dataset_dir), "--out", str(tmp_path / "pt")]
    assert main(args) == 1
    text = capsys.readouterr().out
    assert "Nota: 19 de 20" in text and "relu" in text
    assert not [t for t in _hidden_texts() if t in text]
    html = (tmp_path / "pt" / "02-relu-so-listas" / "report.html").read_text(encoding="utf-8")
    assert not [t for t in _hidden_texts() if t in html]
