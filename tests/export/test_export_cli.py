"""grader export and grader check --junit/--classroom on a real run of relu-exercicios.

Reads the session's graded run (tests/conftest.py); ``grader check`` here finds the notebook
and the reference in a copy of that run's store, so no kernel starts.
"""

from __future__ import annotations

import base64
import csv
import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from grader.cli import main

GRADED, WITHOUT, UNKNOWN = "01-correta", "07-contas-erradas", "ninguem"


@pytest.fixture
def run(graded_examples, tmp_path):
    graded = graded_examples("relu-exercicios")
    out = tmp_path / "out"
    shutil.copytree(graded.out, out)
    return graded, out


def canvas_roster(tmp_path, graded):
    """Every submission but one is a roster student (login = submission id); one student handed nothing in."""
    ids = sorted(s["id"] for s in graded.results["submissions"] if s["id"] != WITHOUT)
    column = f"{graded.results['assignment']['title']} (901)"  # Canvas's name for its assignment 901
    lines = [f"Student,ID,SIS User ID,SIS Login ID,Section,{column}", "    Points Possible,,,,,10"]
    lines += [f'"Aluno {n}",{100 + n},{2000 + n},{sid},T1,' for n, sid in enumerate(ids)]
    lines.append(f'"Sem Entrega",199,2099,{UNKNOWN},T1,')
    path = tmp_path / "canvas.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_canvas_export_from_a_real_run(run, tmp_path, capsys):
    graded, out = run
    target = tmp_path / "import.csv"
    assert main(["export", str(out), "--format", "canvas", "--roster", str(canvas_roster(tmp_path, graded)),
                 "-o", str(target)]) == 0
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    title = graded.results["assignment"]["title"]
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{title} (901)"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == graded.results["assignment"]["max_score"]
    by_login = {r[3]: r for r in rows[2:] if r[3]}
    scores = {s["id"]: s["score"] for s in graded.results["submissions"]}
    assert float(by_login[GRADED][5]) == scores[GRADED] and by_login[UNKNOWN][5] == ""
    extra = [r for r in rows[2:] if not r[1]]
    assert [r[0] for r in extra] == [WITHOUT] and float(extra[0][5]) == scores[WITHOUT]
    captured = capsys.readouterr()
    assert "canvas: 7 nota(s) escrita(s)" in captured.out and "1 aluno(s) da lista sem entrega" in captured.out
    assert f"  {WITHOUT}: nenhum aluno da lista tem este id, login ou e-mail" in captured.err


def test_moodle_export_from_a_real_run(run, tmp_path, capsys):
    graded, out = run
    ids = sorted(s["id"] for s in graded.results["submissions"])
    header = ("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
              "Last modified (submission),Last modified (grade),Feedback comments")
    lines = [header] + [f"Participant {500 + n},Aluno {n},{sid}@uni.br,Submitted,,10.00,Yes,-,-,"
                        for n, sid in enumerate(ids)]
    roster = tmp_path / "worksheet.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["export", str(out), "--format", "moodle", "--roster", str(roster), "--lang", "en"]) == 0
    rows = {r["Email address"]: r for r in csv.DictReader((out / "moodle-worksheet.csv").open(encoding="utf-8"))}
    sub = graded.submission(GRADED)
    assert float(rows[f"{GRADED}@uni.br"]["Grade"]) == sub["score"]
    assert rows[f"{GRADED}@uni.br"]["Feedback comments"].endswith(f"Full report: {sub['report']}")
    assert "0 student(s) of the roster without a submission" in capsys.readouterr().out


def test_junit_and_csv_exports(run, capsys):
    graded, out = run
    assert main(["export", str(out), "-f", "junit"]) == 0
    assert capsys.readouterr().out.strip() == f"junit: 8 entrega(s) escrita(s) em {out / 'junit.xml'}."
    root = ET.parse(out / "junit.xml").getroot()
    sub = graded.submission(GRADED)
    suite = root.find(f"testsuite[@name='{GRADED}']")
    assert [c.get("name") for c in suite.findall("testcase")] == [c["id"] for c in sub["checks"]]
    assert int(root.get("tests")) == sum(len(s["checks"]) for s in graded.results["submissions"])
    assert main(["export", str(out), "-f", "csv", "-o", str(out / "copia.csv")]) == 0
    assert (out / "copia.csv").read_text(encoding="utf-8") == (out / "grades.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, says", [
    (["--format", "canvas"], "--format canvas parte do arquivo exportado pelo AVA: informe --roster ARQUIVO"),
    (["--format", "moodle", "--roster", "nao-existe.csv"], "lista 'nao-existe.csv' não encontrada"),
    (["--format", "xls"], "opção inválida 'xls'"),
])
def test_export_usage_errors(run, capsys, argv, says):
    _, out = run
    assert main(["export", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_export_needs_a_run(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "junit"]) == 2
    assert "results.json" in capsys.readouterr().err


def test_check_junit_and_classroom(graded_examples, tmp_path, monkeypatch, capsys):
    graded = graded_examples("relu-exercicios")
    store = tmp_path / "store.sqlite"
    shutil.copy(graded.store, store)
    notebook = tmp_path / f"{WITHOUT}.ipynb"
    shutil.copy(graded.submissions / notebook.name, notebook)
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    code = main(["check", str(notebook), "--assignment", "relu-exercicios", "--store", str(store),
                 "--junit", str(tmp_path / "check.xml"), "--classroom"])
    assert code == 0  # with --classroom the reporter fails the job, not this step
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert output.read_text(encoding="utf-8") == f"result={printed}\n"
    data = json.loads(base64.b64decode(printed))
    sub = graded.submission(WITHOUT)
    assert data["status"] == "fail" and data["max_score"] == sub["max_score"]
    assert {t["name"]: t["score"] for t in data["tests"]} == {c["id"]: c["score"] for c in sub["checks"]}
    cases = ET.parse(tmp_path / "check.xml").getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [c["id"] for c in sub["checks"]]
    assert main(["check", str(notebook), "--assignment", "relu-exercicios", "--store", str(store)]) == 1



def test_canvas_column_option_and_an_unwritable_output(run, tmp_path, capsys):
    graded, out = run
    roster = canvas_roster(tmp_path, graded)
    target = tmp_path / "com-coluna.csv"
    assert main(["export", str(out), "-f", "canvas", "--roster", str(roster), "--column", "Notebook 3",
                 "-o", str(target)]) == 0
    assert next(csv.reader(target.open(encoding="utf-8")))[-1] == "Notebook 3"
    title = graded.results["assignment"]["title"]
    assert (f"AVISO: a lista do Canvas não tem a coluna 'Notebook 3': ao importar, o Canvas cria uma tarefa nova "
            f"com esse nome. Colunas de tarefas na lista: '{title} (901)'.") in capsys.readouterr().err
    assert main(["export", str(out), "-f", "canvas", "--roster", str(roster),
                 "-o", str(tmp_path / "nao-existe" / "x.csv")]) == 2
    assert "não foi possível escrever" in capsys.readouterr().err


def test_classroom_gets_a_result_when_the_check_cannot_start(tmp_path, monkeypatch, capsys):
    """A renamed notebook: the reporter reads an error it can show, not an empty output."""
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert main(["check", str(tmp_path / "renomeado.ipynb"), "--kit", str(tmp_path), "--classroom"]) == 2
    encoded = output.read_text(encoding="utf-8").strip().removeprefix("result=")
    data = json.loads(base64.b64decode(encoded))
    assert data["status"] == "error" and data["tests"][0]["status"] == "error"
    assert "renomeado.ipynb" in data["tests"][0]["message"]
    assert "renomeado.ipynb" in capsys.readouterr().err  # the usual one line, too
