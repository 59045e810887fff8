"""``grader assign`` on the command line: files written, an existing spec kept, errors in one line."""

from __future__ import annotations

import ast
import string
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

import grader.assign
from grader.cli import main
from grader.messages import load_catalogue
from grader.run import ExitCode

ASSIGN_DIR = Path(grader.assign.__file__).parent


def write_master(path: Path, *cells) -> Path:
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [v4.new_markdown_cell("# Lista", id="t"), v4.new_markdown_cell("## Desafio 1", id="d1"), *cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def master(tmp_path) -> Path:
    return write_master(tmp_path / "masters" / "lista.ipynb",
                        v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", id="d1-c"))


def test_assign_writes_handout_reference_and_a_starting_spec(tmp_path, master, capsys):
    out = tmp_path / "assignments" / "lista"
    assert main(["assign", str(master), "-o", str(out), "--lang", "en"]) == ExitCode.OK
    printed = capsys.readouterr().out
    assert "Handout:" in printed and "Starting spec:" in printed and "desafio-1" in printed
    handout = nbformat.read(out / "lista.ipynb", 4)
    reference = nbformat.read(tmp_path / "reference" / "lista.ipynb", 4)
    assert handout.cells[2].source == "# Seu código aqui" and reference.cells[2].source == "x = 1"
    spec = tomllib.loads((out / "assignment.toml").read_text(encoding="utf-8"))
    assert spec["assignment"]["reference"] == "../../reference/lista.ipynb"
    assert [s["id"] for s in spec["sections"]] == ["desafio-1"]


def test_an_existing_spec_is_kept_and_its_paths_are_used_unless_force(tmp_path, master, capsys):
    out = tmp_path / "elsewhere"
    out.mkdir()
    course_spec = '[assignment]\nid = "lista"\nnotebook = "enunciado.ipynb"\nreference = "sol/lista.ipynb"\n'
    (out / "assignment.toml").write_text(course_spec, encoding="utf-8")
    assert main(["assign", str(master), "-o", str(out)]) == ExitCode.OK
    assert "já existe" in capsys.readouterr().out
    assert (out / "assignment.toml").read_text(encoding="utf-8") == course_spec
    assert (out / "enunciado.ipynb").is_file() and (out / "sol" / "lista.ipynb").is_file()
    assert "[[sections]]" in (out / "assignment.new.toml").read_text(encoding="utf-8")
    assert main(["assign", str(master), "-o", str(out), "--force"]) == ExitCode.OK
    assert "[[sections]]" in (out / "assignment.toml").read_text(encoding="utf-8")


def test_outside_an_assignments_folder_the_reference_goes_under_the_output(tmp_path, master):
    assert main(["assign", str(master), "-o", str(tmp_path / "out"), "--id", "outra"]) == ExitCode.OK
    assert (tmp_path / "out" / "outra.ipynb").is_file() and (tmp_path / "out" / "reference" / "outra.ipynb").is_file()


@pytest.mark.parametrize("lang, words", [("pt", "nunca é fechado"), ("en", "is never closed")])
def test_a_bad_marker_is_one_line_in_the_users_language_and_nothing_is_written(tmp_path, capsys, lang, words):
    bad = write_master(tmp_path / "m.ipynb", v4.new_code_cell("x = 0\n### BEGIN SOLUTION\nx = 1", id="d1-c"))
    assert main(["assign", str(bad), "-o", str(tmp_path / "out"), "--lang", lang]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err and "d1-c" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_reference_goes_where_asked_and_conflicts_with_an_existing_spec_are_refused(tmp_path, master, capsys):
    out = tmp_path / "out"
    assert main(["assign", str(master), "-o", str(out), "--reference", str(tmp_path / "sol" / "r.ipynb")]) == ExitCode.OK
    assert (tmp_path / "sol" / "r.ipynb").is_file()
    assert tomllib.loads((out / "assignment.toml").read_text(encoding="utf-8"))["assignment"]["reference"] == "../sol/r.ipynb"
    for extra, words in ((["--id", "outra"], "differs from the id"), (["--reference", "x.ipynb"], "already says")):
        assert main(["assign", str(master), "-o", str(out), "--lang", "en", *extra]) == ExitCode.USAGE
        assert words in capsys.readouterr().err


def test_the_master_is_never_overwritten(tmp_path, master, capsys):
    before = master.read_bytes()
    assert main(["assign", str(master), "-o", str(master.parent), "--lang", "en"]) == ExitCode.USAGE
    assert "overwrite the master" in capsys.readouterr().err and master.read_bytes() == before


def test_a_missing_master_is_a_usage_error(tmp_path, capsys):
    assert main(["assign", str(tmp_path / "nada.ipynb"), "-o", str(tmp_path)]) == ExitCode.USAGE
    assert "não encontrado" in capsys.readouterr().err


def _keys_used() -> set[str]:
    keys = set()
    for path in ASSIGN_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    node.value.startswith(("usage.assign.", "cli.assign.")):
                keys.add(node.value)
    return keys


def test_every_message_key_of_assign_exists_in_both_languages_with_the_same_fields():
    fields = lambda text: {name for _, name, _, _ in string.Formatter().parse(text) if name}  # noqa: E731
    pt, en = load_catalogue("pt"), load_catalogue("en")
    used = _keys_used()
    assert len(used) > 15
    for key in used:
        assert key in pt.messages and key in en.messages, key
        assert fields(pt.messages[key]) == fields(en.messages[key]), key
        assert fields(en.messages[key]) <= {"master", "cell", "cell_id", "line", "marker", "path", "out", "file",
                                            "reason", "given", "id", "existing", "count", "sections", "cells",
                                            "solutions", "extra"}, key
