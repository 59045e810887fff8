"""A Portuguese run says everything in Portuguese: a missing dataset, a notebook that is not JSON.

And the dataset is required only by the assignments that use it.
"""

from __future__ import annotations

import pytest

import grader.run
from grader.assignments import load as load_assignment
from grader.cli import main
from grader.datasets import FILES, needs_dataset
from grader.errors import DatasetMissingError
from grader.execute.sandbox import resolve_sandbox
from grader.grade import GradingContext, collect_facts
from grader.messages import load_catalogue
from grader.run import make_context
from grader.scoring import score_submission


@pytest.fixture
def no_dataset(tmp_path, monkeypatch):
    """No Debian package, and Keras has downloaded nothing: the folder given to --data-dir is empty."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(grader.run, "grade_all", lambda *a, **k: pytest.fail("a notebook was about to run"))
    empty = tmp_path / "sem-dados"
    empty.mkdir()
    return empty


def _run_cnn(tmp_path, capsys, data: str) -> tuple[int, list[str]]:
    subs = tmp_path / "entregas"
    subs.mkdir(exist_ok=True)
    (subs / "ana.ipynb").write_text("{}", encoding="utf-8")
    code = main(["run", str(subs), "--assignment", "cnn-pratica", "--out", str(tmp_path / "out"), "--no-store",
                 "--data-dir", data])
    return code, capsys.readouterr().err.strip().splitlines()


def test_a_missing_dataset_is_one_portuguese_line(tmp_path, capsys, no_dataset):
    code, err = _run_cnn(tmp_path, capsys, str(no_dataset))
    assert code == 3 and len(err) == 1, err
    assert err[0].startswith(f"grader: erro: Fashion-MNIST não encontrado em {no_dataset}. Instale com ")
    assert "not found" not in err[0] and str(tmp_path / "keras-home" / "datasets" / "fashion-mnist") in err[0]


def test_a_missing_dataset_names_the_files_keras_already_downloaded(tmp_path, capsys, no_dataset):
    keras = tmp_path / "keras-home" / "datasets" / "fashion-mnist"
    keras.mkdir(parents=True)
    for name in FILES:
        (keras / name).write_bytes(b"")
    code, err = _run_cnn(tmp_path, capsys, str(no_dataset))
    assert code == 3 and len(err) == 1, err
    assert f"o Keras já baixou os arquivos em {keras}: use --data-dir {keras}" in err[0]


def test_only_assignments_that_use_the_dataset_require_it(no_dataset):
    relu, _ = load_assignment("relu-exercicios")
    cnn, _ = load_assignment("cnn-pratica")
    assert not needs_dataset(relu) and needs_dataset(cnn)
    context = make_context(relu, data_dir=no_dataset, store=None, no_store=True, cell_timeout=None, isolation="none")
    assert context.dataset_dir.is_dir() and not any(context.dataset_dir.iterdir())
    with pytest.raises(DatasetMissingError):
        make_context(cnn, data_dir=no_dataset, store=None, no_store=True, cell_timeout=None, isolation="none")


def test_a_notebook_that_is_not_json_is_explained_in_portuguese(tmp_path, no_dataset):
    spec, registry = load_assignment("relu-exercicios")
    broken = tmp_path / "ana.ipynb"
    broken.write_text('{"cells": [\n  {"cell_type": "code",\n', encoding="utf-8")  # cut off mid-file
    facts, _ = collect_facts(broken, GradingContext(spec, no_dataset, None, resolve_sandbox("none")), use_cache=False)
    result = score_submission(submission_id="ana", path="ana.ipynb", assignment=spec, facts=facts,
                              reference=facts, registry=registry, catalogue=load_catalogue("pt"))
    assert result.status == "error"
    assert result.error.startswith("ana.ipynb não é um notebook: o arquivo não é JSON válido (linha 3, coluna 1)")
    assert "valid JSON" not in result.error and "valid JSON" not in result.checks[0].message
