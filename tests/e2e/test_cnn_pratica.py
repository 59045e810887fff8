"""End to end: the example submissions of cnn-pratica, graded by real kernels on real data.

One session-scoped run grades every example plus the reference solution (as a
submission); the tests read its outputs. Expected outcomes are data:
``assignments/cnn-pratica/examples/expected.toml``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.cli import main
from grader.run import run
from tests.e2e.examples import (
    assert_documented_outcome,
    assert_follows_the_contract,
    assert_reference_scores,
    assert_template_scores_zero,
    expected_outcomes,
)

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assignments" / "cnn-pratica" / "examples"
EXPECTED = expected_outcomes(EXAMPLES.parent.name)


@pytest.fixture(scope="session")
def graded(graded_examples):
    """All examples and the reference, graded once: (out folder, results, store, submissions)."""
    return graded_examples("cnn-pratica")


def _submission(results: dict, sub_id: str) -> dict:
    return next(s for s in results["submissions"] if s["id"] == sub_id)


def test_results_json_follows_the_contract(graded):
    assert_follows_the_contract(graded, EXPECTED)


def test_reference_scores_the_maximum(graded):
    assert_reference_scores(graded, 20)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    assert_documented_outcome(graded, example, EXPECTED[example])


def test_untouched_template_scores_zero_without_crashing(graded):
    assert_template_scores_zero(graded, "06-template-intocado")


def test_tampering_earns_nothing(graded):
    out, results, _, _ = graded
    cheat = _submission(results, "07-trapaca")
    model_checks = [c for c in cheat["checks"] if c["section"] == "desafio-3" and c["kind"] != "executes"]
    assert model_checks and all(c["score"] == 0 for c in model_checks)
    facts = json.loads((out / "07-trapaca" / "facts.json").read_text())
    (model,) = [m for s in facts["sections"] if s["id"] == "desafio-3" for m in s["models"]]
    # the grader counted the real parameters and measured the real accuracy itself
    assert model["total_params"] != 61706
    assert model["evaluations"][0]["accuracy"] < 0.95


def test_reports_and_grade_sheet_are_written(graded):
    out, results, _, _ = graded
    index = (out / "index.html").read_text(encoding="utf-8")
    for sub in results["submissions"]:
        report = out / sub["report"]
        html = report.read_text(encoding="utf-8")
        assert sub["id"] in html and "http://" not in html and "https://" not in html
        assert sub["report"] in index
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert {r["id"]: float(r["score"]) for r in rows} == {s["id"]: s["score"] for s in results["submissions"]}
    structure = (out / "03-filtros-errados" / "report.html").read_text(encoding="utf-8")
    # the layer-by-layer diff, in words: which of the student's layers differs, and in what
    assert "Conv2D" in structure and "filtros" in structure


def test_a_second_run_reuses_stored_facts(graded, tmp_path, dataset_dir):
    _, results, store, submissions = graded
    again = run(submissions=submissions, assignment="cnn-pratica", out=tmp_path / "again", jobs=2,
                data_dir=dataset_dir, store=store)
    assert all(s.cached for s in again.results.submissions)
    assert {s.id: s.score for s in again.results.submissions} == {s["id"]: s["score"] for s in results["submissions"]}


def test_student_self_check_in_portuguese_and_english(graded, tmp_path, dataset_dir, capsys):
    _, _, store, submissions = graded
    args = ["check", str(submissions / "04-erro-na-secao.ipynb"), "--assignment", "cnn-pratica",
            "--store", str(store), "--data-dir", str(dataset_dir)]
    assert main(args + ["--out", str(tmp_path / "pt")]) == 1
    text = capsys.readouterr().out
    assert "NameError" in text and "Nota: 14 de 20" in text and "reprovado" in text.lower()
    # the report's verdict for the untried bonus, not "reprovado: Nenhum modelo Keras foi criado"
    bonus = text[text.index("Bônus"):text.index("Nota:")]
    assert "○ [não tentado] bonus-bn-dropout" in bonus and "Nenhum modelo" not in bonus
    assert (tmp_path / "pt" / "04-erro-na-secao" / "report.html").is_file()
    assert main(args + ["--out", str(tmp_path / "en"), "--lang", "en"]) == 1
    assert "Score: 14 of 20" in capsys.readouterr().out
    perfect = ["check", str(submissions / "01-correta.ipynb"), "--assignment", "cnn-pratica",
               "--store", str(store), "--data-dir", str(dataset_dir), "--out", str(tmp_path / "ok")]
    assert main(perfect) == 0
    capsys.readouterr()
    filters = ["check", str(submissions / "03-filtros-errados.ipynb"), "--assignment", "cnn-pratica",
               "--store", str(store), "--data-dir", str(dataset_dir), "--out", str(tmp_path / "filtros")]
    assert main(filters) == 1
    line = next(l for l in capsys.readouterr().out.splitlines() if "d3-estrutura" in l)
    assert line.lstrip().startswith("◐ [parcial] d3-estrutura:") and "A 1ª camada Conv2D difere em: filtros." in line
    assert "comparação camada a camada" not in line
