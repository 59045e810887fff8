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
    """The one line of a usage error, in English (``--lang en``; Portuguese is tested below)."""
    code = main([*argv, "--lang", "en"])
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
    assert "[bônus]" in out and "(20 pontos)" in out and "points" not in out


def test_assignments_lists_the_four_course_assignments(capsys):
    assert main(["assignments"]) == 0
    listed = {line.split(":")[0] for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")}
    assert {"cnn-pratica", "relu-exercicios", "mlp-multiclasse-binaria", "treinamento-redes"} <= listed


def test_assignments_from_another_folder(capsys, mini_assignment):
    assert main(["--assignments-dir", str(mini_assignment.parent), "assignments"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "mini: Mini (1 ponto)"
    assert out[1].split()[:3] == ["desafio-1", "1", "pts"]


def test_assignments_in_english(capsys, mini_assignment):
    assert main(["--assignments-dir", str(mini_assignment.parent), "assignments", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "mini: Mini (1 point)"


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


# ---------------------------------------------------------------- messages in the user's language, checked before work
@pytest.fixture
def nothing_runs(monkeypatch, tmp_path):
    """No notebook may run: grading fails the test; the dataset is not needed to get that far."""
    import grader.run
    import grader.selfcheck  # noqa: F401  imported now, so that it keeps the real grade_all after the test

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was about to run")

    monkeypatch.setattr(grader.run, "grade_all", refuse)
    monkeypatch.setattr(grader.run, "dataset_dir_for", lambda assignment, data_dir: tmp_path)


@pytest.fixture
def one_submission(tmp_path):
    folder = tmp_path / "entregas"
    folder.mkdir()
    (folder / "ana.ipynb").write_text("{}", encoding="utf-8")
    return folder


def one_line(capsys, argv) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def test_usage_errors_are_in_portuguese_by_default(tmp_path, capsys):
    line = one_line(capsys, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--assignment", "nao-existe"])
    assert line.startswith("grader: erro: tarefa 'nao-existe' não encontrada")


def test_argparse_errors_speak_the_chosen_language(capsys):
    assert main(["run", "entregas"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("uso: grader run") and err[-1] == (
        "grader: erro: faltam argumentos obrigatórios: --out/-o, --assignment/-a")
    assert main(["run", "entregas", "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "grader: error: the following arguments are required: --out/-o, --assignment/-a")
    assert main(["run", "x", "-o", "y", "-a", "z", "--jobs", "muitos"]) == 2
    assert "argumento --jobs/-j: valor inválido: 'muitos'" in capsys.readouterr().err


def test_help_is_in_portuguese(capsys):
    with pytest.raises(SystemExit) as info:
        main(["review", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("uso: grader review") and "opções:" in text and "--decide" in text


def test_an_out_that_is_a_file_stops_the_run_in_one_line(tmp_path, capsys, mini_assignment, one_submission,
                                                          nothing_runs):
    target = tmp_path / "saida"
    target.write_text("não é uma pasta")
    line = one_line(capsys, ["run", str(one_submission), "--out", str(target), "--assignment", str(mini_assignment),
                             "--no-store"])
    assert line == f"grader: erro: --out '{target}' é um arquivo; indique uma pasta para os relatórios"


def test_an_unusable_store_stops_the_run_in_one_line(tmp_path, capsys, mini_assignment, one_submission, nothing_runs):
    blocker = tmp_path / "arquivo"
    blocker.write_text("")
    line = one_line(capsys, ["run", str(one_submission), "--out", str(tmp_path / "out"), "--assignment",
                             str(mini_assignment), "--store", str(blocker / "store.sqlite"), "--lang", "en"])
    assert line.startswith(f"grader: error: cannot use the store '{blocker / 'store.sqlite'}'")
    assert not (tmp_path / "out").exists()


def test_check_of_a_file_that_is_not_a_notebook_is_one_message(tmp_path, capsys, mini_assignment, nothing_runs):
    fake = tmp_path / "trabalho.ipynb"
    fake.write_text("isto não é JSON", encoding="utf-8")
    line = one_line(capsys, ["check", str(fake), "--assignment", str(mini_assignment)])
    assert line.startswith(f"grader: erro: '{fake}' não é um notebook Jupyter") and "JSON" in line
    assert not (tmp_path / "trabalho-relatorio").exists()


def test_a_broken_decisions_file_stops_the_run_before_any_notebook(tmp_path, capsys, mini_assignment,
                                                                     one_submission, nothing_runs):
    (one_submission / "decisions.toml").write_text("[[decision]]\nsubmission = 'ana'\n", encoding="utf-8")
    line = one_line(capsys, ["run", str(one_submission), "--out", str(tmp_path / "out"), "--assignment",
                             str(mini_assignment), "--no-store"])
    assert "decisions.toml" in line and "nº 1" in line


def test_assignments_lists_the_pytorch_assignment_as_available_with_the_extra(capsys):
    pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    assert main(["assignments"]) == 0
    out = capsys.readouterr().out
    assert "pytorch-treinamento: " in out and "(20 pontos)" in out and "indisponível" not in out
