"""End to end: the example submissions of cnn-pratica, graded by real kernels on real data.

One session-scoped run grades every example plus the reference solution (as a
submission); the tests read its outputs. Expected outcomes are data:
``assignments/cnn-pratica/examples/expected.toml``.
"""

from __future__ import annotations

import csv
import json
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest

from grader.cli import main
from grader.run import run

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assignments" / "cnn-pratica" / "examples"
EXPECTED = tomllib.loads((EXAMPLES / "expected.toml").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT.parent / "shared" / "contracts" / "results.schema.json").read_text())
REFERENCE_ID = "00-referencia"


@pytest.fixture(scope="session")
def graded(tmp_path_factory, dataset_dir):
    """Grade all examples and the reference once; returns (out folder, results, store)."""
    base = tmp_path_factory.mktemp("cnn")
    submissions = base / "subs"
    submissions.mkdir()
    for notebook in EXAMPLES.glob("*.ipynb"):
        shutil.copy(notebook, submissions / notebook.name)
    shutil.copy(ROOT / "reference" / "cnn-pratica.ipynb", submissions / f"{REFERENCE_ID}.ipynb")
    store = base / "store.sqlite"
    run(submissions=submissions, assignment="cnn-pratica", out=base / "out", jobs=2,
                  data_dir=dataset_dir, store=store)
    results = json.loads((base / "out" / "results.json").read_text(encoding="utf-8"))
    return base / "out", results, store, submissions


def _submission(results: dict, sub_id: str) -> dict:
    return next(s for s in results["submissions"] if s["id"] == sub_id)


def test_results_json_follows_the_contract(graded):
    _, results, _, _ = graded
    jsonschema.validate(results, SCHEMA)
    assert {s["id"] for s in results["submissions"]} == set(EXPECTED) | {REFERENCE_ID}


def test_reference_scores_the_maximum(graded):
    _, results, _, _ = graded
    reference = _submission(results, REFERENCE_ID)
    assert reference["status"] == "graded"
    assert reference["score"] == reference["max_score"] == 20
    assert all(c["status"] == "passed" for c in reference["checks"]), [
        (c["id"], c["message"]) for c in reference["checks"] if c["status"] != "passed"]


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    _, results, _, _ = graded
    sub = _submission(results, example)
    expected = EXPECTED[example]
    actual = {c["id"]: c["status"] for c in sub["checks"]}
    mismatches = {k: (v, actual.get(k)) for k, v in expected["checks"].items() if actual.get(k) != v}
    messages = {c["id"]: c["message"] for c in sub["checks"] if c["id"] in mismatches}
    assert not mismatches, f"(expected, actual): {mismatches}\n{messages}"
    assert expected["min_score"] <= sub["score"] <= expected["max_score"]


def test_untouched_template_scores_zero_without_crashing(graded):
    _, results, _, _ = graded
    template = _submission(results, "06-template-intocado")
    assert template["status"] == "graded" and template["score"] == 0
    assert not template["execution"]["cell_errors"]


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
    assert "Conv2D" in structure and "filters" in structure  # the layer-by-layer diff


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
    assert (tmp_path / "pt" / "04-erro-na-secao" / "report.html").is_file()
    assert main(args + ["--out", str(tmp_path / "en"), "--lang", "en"]) == 1
    assert "Score: 14 of 20" in capsys.readouterr().out
    perfect = ["check", str(submissions / "01-correta.ipynb"), "--assignment", "cnn-pratica",
               "--store", str(store), "--data-dir", str(dataset_dir), "--out", str(tmp_path / "ok")]
    assert main(perfect) == 0
