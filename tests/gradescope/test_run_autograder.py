"""The zip's ``run_autograder`` in a simulated /autograder tree, on relu-exercicios notebooks.

The facts come from the store of ``graded_examples("relu-exercicios")`` (GRADER_STORE), so no
kernel starts here. The assignment is a copy with ``ex1-relu`` hidden and a late policy, so that
both reach Gradescope's results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.gradescope.autograde import autograde
from grader.gradescope.build import build

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text(encoding="utf-8"))
EXAMPLES = ROOT / "assignments" / "relu-exercicios" / "examples"
METADATA = {"id": 99, "created_at": "2026-11-21T10:00:00-03:00",
            "assignment": {"due_date": "2026-11-20T23:59:00-03:00", "late_due_date": None},
            "users": [{"email": "ana@usp.br", "id": 7, "name": "Ana Silva"}],
            "previous_submissions": [{"submission_time": "2026-11-20T09:00:00-03:00", "score": 12.0}]}


def hidden_relu_assignment(base: Path) -> Path:
    """relu-exercicios with ``ex1-relu`` hidden and 10% per day late (due later than Gradescope's date)."""
    folder = base / "assignments" / "relu-exercicios"
    shutil.copytree(ROOT / "assignments" / "relu-exercicios", folder, ignore=shutil.ignore_patterns("examples"))
    (base / "reference").mkdir()
    shutil.copy(ROOT / "reference" / "relu-exercicios.ipynb", base / "reference")
    spec = folder / "assignment.toml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace('id = "ex1-relu"\n', 'id = "ex1-relu"\nvisibility = "hidden"\n', 1)
    text = text.replace("[[sections]]", "[late]\ndue = 2026-12-31T23:59:00-03:00\npercent_per_day = 10\n\n[[sections]]", 1)
    spec.write_text(text, encoding="utf-8")
    return base / "assignments"


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory, dataset_dir):
    base = tmp_path_factory.mktemp("hidden-relu")
    path = base / "autograder.zip"
    build(assignment="relu-exercicios", out=path, assignments_dir=hidden_relu_assignment(base), data_dir=dataset_dir)
    return path


def tree(base: Path, autograder_zip: Path, notebook: Path | None, metadata: dict | None = METADATA) -> Path:
    """/autograder as Gradescope lays it out: the zip in source/, run_autograder copied up, the upload."""
    root = base / "autograder"
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    if notebook is not None:
        shutil.copy(notebook, root / "submission" / "relu-exercicios.ipynb")
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return root


def run_autograder(root: Path, store: Path) -> tuple[dict, str]:
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable,
           "GRADER_STORE": str(store)}
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, SCHEMA)
    return results, done.stdout


def test_a_notebook_is_graded_with_the_hidden_check_hidden(graded_examples, autograder_zip, tmp_path):
    graded = graded_examples("relu-exercicios")
    results, stdout = run_autograder(tree(tmp_path, autograder_zip, EXAMPLES / "02-relu-so-listas.ipynb"),
                                     graded.store)
    assert "facts from the store" in stdout  # the session's facts: no kernel started
    tests = {t["name"].rsplit(": ", 1)[1]: t for t in results["tests"]}
    expected = {c["id"]: c for c in graded.submission("02-relu-so-listas")["checks"]}
    assert set(tests) == set(expected)
    assert all(tests[k]["score"] == c["score"] and tests[k]["max_score"] == c["max_score"] for k, c in expected.items())
    hidden = tests["ex1-relu"]
    assert hidden["visibility"] == "hidden" and hidden["output"] == "" and hidden["score"] == 1
    assert expected["ex1-relu"]["message"] not in json.dumps(results, ensure_ascii=False)
    assert "[hidden] ex1-relu: partial" in stdout  # instructors read it in the autograder's output
    # 10 h after Gradescope's due date (not the spec's): one started day, 10% of 19 points
    assert results["score"] == 17.1
    assert "−10%" in results["output"] and "entrega nº 2" in results["output"]


def test_an_invalid_notebook_is_a_visible_message_with_score_0(graded_examples, autograder_zip, tmp_path):
    broken = tmp_path / "quebrado.ipynb"
    broken.write_text("{ isto não é json", encoding="utf-8")
    results, _ = run_autograder(tree(tmp_path, autograder_zip, broken), graded_examples("relu-exercicios").store)
    assert results["score"] == 0 and len(results["tests"]) == 1
    test = results["tests"][0]
    assert test["visibility"] == "visible" and test["max_score"] == 20
    assert test["output"].startswith("O notebook não pôde ser corrigido")


def test_a_broken_assignment_is_a_visible_grader_failure(graded_examples, autograder_zip, tmp_path):
    root = tree(tmp_path, autograder_zip, EXAMPLES / "01-correta.ipynb")
    (root / "source" / "assignments" / "relu-exercicios" / "assignment.toml").write_text("[[checks]]\nkind = 3\n")
    results, stdout = run_autograder(root, graded_examples("relu-exercicios").store)
    assert results["score"] == 0 and results["tests"][0]["visibility"] == "visible"
    assert "não é um erro seu" in results["tests"][0]["output"] and results["tests"][0]["max_score"] == 20
    assert "Traceback" in stdout and "assignment.toml" in stdout  # the detail, for instructors only


def test_no_notebook_in_the_upload(autograder_zip, tmp_path):
    root = tree(tmp_path, autograder_zip, None, metadata=None)
    (root / "submission" / "relu.py").write_text("print(1)\n")
    results = autograde(root=root, store=tmp_path / "store.sqlite").to_json()
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "relu-exercicios.ipynb" in results["tests"][0]["output"]


def test_without_python_the_fallback_results_are_written(autograder_zip, tmp_path):
    root = tree(tmp_path, autograder_zip, EXAMPLES / "01-correta.ipynb")
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": str(tmp_path / "no-python")}
    subprocess.run(["bash", str(root / "run_autograder")], env=env, check=True, capture_output=True, timeout=60)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "setup.sh" in results["tests"][0]["output"]
