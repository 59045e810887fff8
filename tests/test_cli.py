"""The command line: usage errors are one line and exit code 2; nothing here starts a kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import __version__
from grader.cli import main
from grader.run import ExitCode

PROJECT = Path(__file__).resolve().parents[1]
CNN_NOTEBOOKS = (PROJECT / "assignments" / "cnn-pratica" / "cnn-pratica.ipynb",
                 PROJECT / "reference" / "cnn-pratica.ipynb")

MINI_SPEC = """\
[assignment]
id = "mini"
title = "Mini"
notebook = "mini.ipynb"
reference = "ref.ipynb"

[[sections]]
id = "desafio-1"

[[checks]]
id = "d1-executa"
section = "desafio-1"
kind = "executes"
points = 1
"""


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ("GRADER_ASSIGNMENTS", "GRADER_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def mini_assignment(tmp_path):
    folder = tmp_path / "assignments" / "mini"
    folder.mkdir(parents=True)
    (folder / "assignment.toml").write_text(MINI_SPEC, encoding="utf-8")
    for name in ("mini.ipynb", "ref.ipynb"):
        (folder / name).write_text("{}", encoding="utf-8")
    return folder


def usage_error(capsys, argv) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == ExitCode.USAGE == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("grader: error: ")
    return lines[0]


def test_unknown_assignment(tmp_path, capsys):
    line = usage_error(capsys, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--assignment", "nao-existe"])
    assert "assignment 'nao-existe' not found" in line
    assert not (tmp_path / "out").exists()


def test_missing_submissions_folder(tmp_path, capsys, mini_assignment):
    missing = tmp_path / "entregas"
    line = usage_error(capsys, ["run", str(missing), "--out", str(tmp_path / "out"),
                                "--assignment", str(mini_assignment)])
    assert str(missing) in line and "does not exist" in line


def test_empty_submissions_folder(tmp_path, capsys, mini_assignment):
    empty = tmp_path / "entregas"
    empty.mkdir()
    line = usage_error(capsys, ["run", str(empty), "--out", str(tmp_path / "out"),
                                "--assignment", str(mini_assignment)])
    assert "no .ipynb notebooks" in line


def test_jobs_zero(tmp_path, capsys, mini_assignment):
    line = usage_error(capsys, ["run", str(tmp_path), "--out", str(tmp_path / "out"),
                                "--assignment", str(mini_assignment), "--jobs", "0"])
    assert "--jobs" in line


def test_invalid_spec_is_a_config_error(tmp_path, capsys, mini_assignment):
    spec = mini_assignment / "assignment.toml"
    spec.write_text(MINI_SPEC.replace('"executes"', '"execute"'), encoding="utf-8")
    code = main(["run", str(tmp_path), "--out", str(tmp_path / "out"), "--assignment", str(mini_assignment)])
    err = capsys.readouterr().err.strip()
    assert code == ExitCode.CONFIG
    assert len(err.splitlines()) == 1 and str(spec) in err and "did you mean 'executes'" in err


def test_assignments_lists_cnn_pratica(capsys):
    missing = [str(p.relative_to(PROJECT)) for p in CNN_NOTEBOOKS if not p.is_file()]
    if missing:
        pytest.skip(f"notebooks not written yet: {', '.join(missing)}")
    assert main(["assignments"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cnn-pratica: ")
    for section in ("desafio-1", "desafio-2", "desafio-3", "bonus-bn-dropout"):
        assert f"  {section} " in out
    assert "[bonus]" in out


def test_assignments_lists_the_four_course_assignments(capsys):
    assert main(["assignments"]) == 0
    listed = {line.split(":")[0] for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")}
    assert {"cnn-pratica", "relu-exercicios", "mlp-multiclasse-binaria", "treinamento-redes"} <= listed


def test_assignments_from_another_folder(capsys, mini_assignment):
    assert main(["--assignments-dir", str(mini_assignment.parent), "assignments"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "mini: Mini (1 points)"
    assert out[1].split()[:3] == ["desafio-1", "1", "pts"]


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"grader {__version__}"


def test_an_out_that_is_a_file_is_a_usage_error_before_anything_runs(tmp_path):
    import pytest

    from grader.errors import UsageError
    from grader.outputs import prepare_out

    target = tmp_path / "out"
    target.write_text("not a folder")
    with pytest.raises(UsageError, match="is a file"):
        prepare_out(target)
    assert prepare_out(tmp_path / "new").name == "grader.log"
