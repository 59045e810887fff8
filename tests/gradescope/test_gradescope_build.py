"""``grader gradescope build``: the zip's root, what setup.sh and run_autograder need, the settings."""

from __future__ import annotations

import json
import stat
import subprocess
import zipfile

import pytest

from grader.cli import main
from grader.datasets import FILES
from grader.errors import UsageError
from grader.gradescope.build import build


@pytest.fixture(scope="module")
def relu_zip(tmp_path_factory, dataset_dir):
    path = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    build(assignment="relu-exercicios", out=path, data_dir=dataset_dir)
    return path


def names(path) -> set[str]:
    with zipfile.ZipFile(path) as zf:
        return set(zf.namelist())


def test_setup_and_run_autograder_are_at_the_root_and_executable(relu_zip):
    with zipfile.ZipFile(relu_zip) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    assert {"setup.sh", "run_autograder"} <= set(infos)
    for script in ("setup.sh", "run_autograder"):
        assert infos[script].external_attr >> 16 & stat.S_IXUSR
    assert not any(n.startswith("source/") for n in infos)  # Gradescope extracts the zip into /autograder/source


def test_what_the_scripts_reference_is_in_the_zip(relu_zip, tmp_path):
    held = names(relu_zip)
    with zipfile.ZipFile(relu_zip) as zf:
        zf.extractall(tmp_path)
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / script)], check=True)
    setup = (tmp_path / "setup.sh").read_text(encoding="utf-8")
    assert 'pip install --quiet -e "$SOURCE"' in setup and "pyproject.toml" in held and "README.md" in held
    assert "$SOURCE/data/fashion-mnist/t10k-images-idx3-ubyte.gz" in setup
    assert {f"data/fashion-mnist/{name}" for name in FILES} <= held
    assert "grader/gradescope/autograde.py" in held and "templates/report.html.j2" in held
    assert "$ROOT/source/fallback_results.json" in (tmp_path / "run_autograder").read_text(encoding="utf-8")
    assert "fallback_results.json" in held


def test_the_assignment_and_its_reference_but_no_example(relu_zip):
    held = names(relu_zip)
    assert {"assignments/relu-exercicios/assignment.toml", "assignments/relu-exercicios/relu-exercicios.ipynb",
            "reference/relu-exercicios.ipynb"} <= held  # where assignment.toml's relative path points
    assert not any("/examples/" in n or "__pycache__" in n for n in held)


def test_settings_say_what_the_assignment_needs(relu_zip, dataset_dir, tmp_path):
    with zipfile.ZipFile(relu_zip) as zf:
        settings = json.loads(zf.read("gradescope.json"))
        fallback = json.loads(zf.read("fallback_results.json"))
    assert settings["assignment"] == "relu-exercicios" and settings["max_score"] == 20
    assert settings["memory_mb"] == 768 and settings["timeout_seconds"] == 120 + 120  # NumPy only
    assert fallback["score"] == 0 and fallback["tests"][0]["visibility"] == "visible"
    cnn = build(assignment="cnn-pratica", out=tmp_path / "cnn.zip", data_dir=dataset_dir).settings
    assert cnn.memory_mb == 4096 and cnn.timeout_seconds > 600  # Keras training: above Gradescope's defaults


def test_the_command_line_says_what_to_set_in_gradescope(tmp_path, dataset_dir, capsys):
    code = main(["gradescope", "build", "-a", "relu-exercicios", "-o", str(tmp_path / "a.zip"),
                 "--data-dir", str(dataset_dir), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0 and (tmp_path / "a.zip").is_file()
    assert "768 MB" in out and "4 min" in out


def test_usage_errors(tmp_path, dataset_dir, capsys):
    assert main(["gradescope", "build", "-a", "nao-existe", "-o", str(tmp_path / "a.zip")]) == 2
    assert "nao-existe" in capsys.readouterr().err
    with pytest.raises(UsageError, match="is a folder"):
        build(assignment="relu-exercicios", out=tmp_path, data_dir=dataset_dir)
