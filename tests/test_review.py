"""Teacher decisions: the review queue, ``grader review --decide``, ``grader report``; no kernel starts.

An output folder is made as ``grader run`` makes it, from hand-made facts scored by a
tiny assignment whose own check kind returns the status its spec asks for.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from grader.assignments import load as load_assignment
from grader.cli import main
from grader.decisions import Decision, apply_run_decisions, load_decisions, save_decisions
from grader.facts import NotebookFacts
from grader.messages import load_catalogue
from grader.outputs import save_run_inputs, write_outputs
from grader.results import SubmissionResult
from grader.scoring import score_submission

SPEC = """\
[assignment]
id = "mini"
title = "Mini"
notebook = "mini.ipynb"
reference = "ref.ipynb"

[[sections]]
id = "desafio-1"
title = "Desafio 1"

[[checks]]
id = "executa"
section = "desafio-1"
kind = "fixed"
points = 1

[[checks]]
id = "resposta"
section = "desafio-1"
kind = "fixed"
points = 2
outcome = "review"

[[checks]]
id = "carrega"
section = "desafio-1"
kind = "fixed"
points = 1
outcome = "grader_error"
"""

CHECKS = '''
from grader.checks.base import Outcome, check_kind


@check_kind("fixed", optional=("outcome",))
def fixed(student, reference, check):
    outcome = check.param("outcome", "passed")
    if outcome == "review":
        return Outcome("review", 0.0, "answer_text.review_free")
    if outcome == "grader_error":
        return Outcome("error", 0.0, "model.load_error", {"reason": "boom"})
    return Outcome("passed", 1.0, "answer_text.passed")
'''
NOTE = {"kind": "section_by_structure", "section": "desafio-1", "cell": 3, "model": "m"}


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ("GRADER_ASSIGNMENTS", "GRADER_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def make_run(root: Path, spec_text: str = SPEC) -> Path:
    """An OUT folder as ``grader run`` writes it (ana and bia; bia's model found by structure)."""
    folder = root / "assignments" / "mini"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.toml").write_text(spec_text, encoding="utf-8")
    (folder / "checks.py").write_text(CHECKS, encoding="utf-8")
    for name in ("mini.ipynb", "ref.ipynb"):
        (folder / name).write_text("{}", encoding="utf-8")
    subs, out = root / "subs", root / "out"
    subs.mkdir(exist_ok=True)
    spec, registry = load_assignment(str(folder))
    reference = NotebookFacts("f" * 64)
    facts = {"ana": NotebookFacts("a" * 64), "bia": NotebookFacts("b" * 64, review_notes=(NOTE,))}
    graded = {}
    for sub_id, notebook in facts.items():
        result = score_submission(submission_id=sub_id, path=f"{sub_id}.ipynb", assignment=spec, facts=notebook,
                                  reference=reference, registry=registry, catalogue=load_catalogue("pt"))
        graded[sub_id] = (result, notebook)
    write_outputs(out, spec, graded, reference, "pt", None, submissions_dir=subs)
    save_run_inputs(out, spec, reference)
    return out


@pytest.fixture
def out(tmp_path) -> Path:
    return make_run(tmp_path)


def results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def submission(out: Path, sub_id: str) -> dict:
    return next(s for s in results(out)["submissions"] if s["id"] == sub_id)


def check(out: Path, sub_id: str, check_id: str) -> dict:
    return next(c for c in submission(out, sub_id)["checks"] if c["id"] == check_id)


def decide(out, *args, comment="Resposta certa, dita de outro jeito.") -> int:
    argv = ["review", str(out), "--decide", *args, "--by", "prof.ana"]
    return main(argv + (["--comment", comment] if comment is not None else []))


# ---------------------------------------------------------------- the queue
def test_the_queue_lists_open_items_numbered_with_why_and_points(out, capsys):
    assert main(["review", str(out)]) == 0
    text = capsys.readouterr().out
    assert "5 item(ns) em aberto" in text
    lines = [line.split() for line in text.splitlines() if line.strip()[:1].isdigit()]
    assert [(line[0], line[1], line[2]) for line in lines] == [
        ("1", "ana", "resposta"), ("2", "ana", "carrega"), ("3", "bia", "resposta"), ("4", "bia", "carrega"),
        ("5", "bia", "section_by_structure")]
    assert "0 / 2" in text and "revisão manual" in text and "erro do corretor" in text


def test_the_queue_speaks_english_when_asked(out, capsys):
    assert main(["review", str(out), "--lang", "en"]) == 0
    assert "5 open item(s)" in capsys.readouterr().out


# ---------------------------------------------------------------- deciding
def test_deciding_a_review_item_scores_it_and_closes_it(out, capsys):
    assert decide(out, "ana", "resposta", "--points", "1,5") == 0
    said = capsys.readouterr().out
    assert "decisions.toml" in said and "1,5" in said
    decided = check(out, "ana", "resposta")
    assert decided["status"] == "partial" and decided["score"] == 1.5
    record = decided["decision"]
    assert record["points"] == 1.5 and record["by"] == "prof.ana" and record["comment"].startswith("Resposta certa")
    assert record["original_score"] == 0 and record["original_status"] == "review" and "T" in record["at"]
    ana = submission(out, "ana")
    assert ana["score"] == 2.5 and ana["sections"][0]["score"] == 2.5
    assert [i["check"] for i in ana["review"]] == ["carrega"]
    assert [s["item"]["check"] for s in ana["settled"]] == ["resposta"]
    assert results(out)["decisions"]["applied"] == 1
    report = (out / "ana" / "report.html").read_text(encoding="utf-8")
    assert "Resposta certa, dita de outro jeito." in report


def test_the_decisions_file_holds_who_when_and_the_notebook(out):
    assert decide(out, "ana", "resposta", "--points", "2") == 0
    data = tomllib.loads((out.parent / "subs" / "decisions.toml").read_text(encoding="utf-8"))
    (entry,) = data["decision"]
    assert entry["submission"] == "ana" and entry["check"] == "resposta" and entry["points"] == 2.0
    assert entry["who"] == "prof.ana" and entry["when"][:2] == "20" and entry["sha256"] == "a" * 64


def test_the_student_sees_the_name_the_teacher_chose_or_none_and_a_date_in_their_language(out):
    import getpass
    from datetime import datetime

    assert main(["review", str(out), "--decide", "ana", "resposta", "--points", "2", "--comment", "Certo."]) == 0
    record = check(out, "ana", "resposta")["decision"]
    assert record["by"] == ""  # no login recorded unless the teacher signs with --by
    day = datetime.fromisoformat(record["at"])
    month = load_catalogue("pt").render(f"report.month.{day.month}")
    report = (out / "ana" / "report.html").read_text(encoding="utf-8")
    assert f"Certo.\n      <span class=\"muted\">({day.day} de {month} de {day.year})</span>" in report
    assert record["at"] not in report and f"{getpass.getuser()}," not in report
    assert decide(out, "bia", "resposta", "--points", "1") == 0  # signed --by prof.ana
    assert f"(prof.ana, {day.day} de {month} de {day.year})" in (out / "bia" / "report.html").read_text(encoding="utf-8")


def test_any_score_can_be_overridden(out):
    assert decide(out, "ana", "executa", "--points", "0.5") == 0
    overridden = check(out, "ana", "executa")
    assert (overridden["status"], overridden["score"]) == ("partial", 0.5)
    assert overridden["decision"]["original_status"] == "passed"


def test_a_grader_error_decided_leaves_the_grader_error_count(out):
    assert decide(out, "bia", "carrega", "--points", "1") == 0
    bia = submission(out, "bia")
    assert check(out, "bia", "carrega")["status"] == "passed"
    assert "carrega" not in [i["check"] for i in bia["review"]]
    # her report no longer tells her a teacher will review it: one has
    report = (out / "bia" / "report.html").read_text(encoding="utf-8")
    assert "não puderam ser feitas por um problema do corretor" not in report


def test_numbers_do_not_move_when_an_item_is_decided(out, capsys):
    assert decide(out, "1", "--points", "2") == 0
    capsys.readouterr()
    assert main(["review", str(out)]) == 0
    numbers = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()[:1].isdigit()]
    assert numbers == ["2", "3", "4", "5"]
    assert decide(out, "3", "--points", "1") == 0
    assert check(out, "bia", "resposta")["score"] == 1


def test_a_notebook_level_item_is_settled_without_points(out, capsys):
    assert decide(out, "5", "--points", "1") == 2
    assert "--comment" in capsys.readouterr().err
    assert decide(out, "5", comment="Conferi: o modelo é o do desafio 1.") == 0
    bia = submission(out, "bia")
    assert "section_by_structure" not in [i["reason"] for i in bia["review"]]
    (settled,) = bia["settled"]
    assert settled["item"]["reason"] == "section_by_structure"
    assert settled["decision"]["comment"].startswith("Conferi") and settled["decision"]["points"] is None


def test_points_above_the_maximum_are_refused(out, capsys):
    before = (out / "results.json").read_text(encoding="utf-8")
    assert decide(out, "ana", "resposta", "--points", "3") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "recusado" in err[0] and "máximo" in err[0] and "2" in err[0]
    assert not (out.parent / "subs" / "decisions.toml").exists()
    assert (out / "results.json").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("args, words", [
    (["ana", "resposta", "--points", "dois"], "não é um número"),
    (["ana", "resposta", "--points", "-1"], "negativo"),
    (["ana", "nada", "--points", "1"], "executa, resposta, carrega"),
    (["zeca", "resposta", "--points", "1"], "'zeca'"),
    (["99", "--points", "1"], "nº 99"),
    (["a", "b", "c"], "ENTREGA VERIFICAÇÃO"),
])
def test_bad_decisions_are_one_line_and_exit_2(out, capsys, args, words):
    assert decide(out, *args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("grader: erro: ") and words in err[0], err


def test_a_decision_needs_a_comment(out, capsys):
    assert decide(out, "ana", "resposta", "--points", "1", comment=None) == 2
    assert "--comment" in capsys.readouterr().err


def test_withdrawing_reopens_the_item(out):
    assert decide(out, "ana", "resposta", "--points", "2") == 0
    assert main(["review", str(out), "--withdraw", "ana", "resposta"]) == 0
    ana = submission(out, "ana")
    assert check(out, "ana", "resposta")["status"] == "review" and ana["score"] == 1
    assert "resposta" in [i["check"] for i in ana["review"]] and not ana["settled"]


# ---------------------------------------------------------------- surviving re-runs and rubric changes
def test_a_decision_on_a_check_that_no_longer_exists_is_reported_not_dropped(out, capsys):
    path = out.parent / "subs" / "decisions.toml"
    save_decisions(path, [Decision("ana", "sumiu", "Vale a pena.", "prof", "2025-01-01T10:00:00+00:00", 1.0)])
    assert main(["report", str(out)]) == 0
    said = capsys.readouterr().out
    assert "não foram aplicadas" in said and "ana / sumiu" in said and "não existe mais" in said
    (unapplied,) = results(out)["decisions"]["unapplied"]
    assert unapplied["target"] == "sumiu" and unapplied["reason"] == "no_check"
    assert main(["review", str(out)]) == 0
    assert "ana / sumiu" in capsys.readouterr().out
    assert load_decisions(path)[0].target == "sumiu"  # still in the file


def test_points_above_a_lowered_maximum_and_a_new_notebook_are_not_applied(out):
    stored = {s["id"]: SubmissionResult.from_json(s) for s in results(out)["submissions"]}
    decisions = [Decision("ana", "resposta", "ok", points=2.0, sha256="a" * 64),
                 Decision("bia", "resposta", "ok", points=1.0, sha256="0" * 64)]
    lowered = {k: r.__class__.from_json({**r.to_json(), "checks": [
        {**c.to_json(), "max_score": 1.0} if c.id == "resposta" else c.to_json() for c in r.checks]})
        for k, r in stored.items()}
    applied, info = apply_run_decisions(lowered, decisions, Path("decisions.toml"))
    assert [(u.submission, u.reason) for u in info.unapplied] == [("ana", "above_max"), ("bia", "notebook_changed")]
    assert info.applied == 0 and applied["ana"].score == stored["ana"].score


def test_applying_twice_is_applying_once(out):
    stored = {s["id"]: SubmissionResult.from_json(s) for s in results(out)["submissions"]}
    decisions = [Decision("ana", "resposta", "ok", points=2.0), Decision("ana", "executa", "não", points=0.0)]
    once, _ = apply_run_decisions(stored, decisions, None)
    twice, _ = apply_run_decisions(once, decisions, None)
    assert once == twice and once["ana"].score == 2.0
    reverted, _ = apply_run_decisions(once, [], None)
    assert reverted == stored


def test_a_run_in_a_changed_rubric_keeps_the_decisions(tmp_path):
    out = make_run(tmp_path)
    assert decide(out, "ana", "resposta", "--points", "2") == 0
    # the teacher raises the check to 4 points; the run re-scores and applies the decision again
    out = make_run(tmp_path, SPEC.replace("points = 2\n", "points = 4\n"))
    assert main(["report", str(out)]) == 0
    decided = check(out, "ana", "resposta")
    assert decided["max_score"] == 4 and decided["score"] == 2 and decided["status"] == "partial"


# ---------------------------------------------------------------- grader report
def test_report_re_renders_in_english_from_the_stored_facts(out, capsys):
    assert decide(out, "ana", "resposta", "--points", "2") == 0
    assert main(["report", str(out), "--lang", "en"]) == 0
    assert "re-rendered" in capsys.readouterr().out
    data = results(out)
    assert data["lang"] == "en"
    assert check(out, "ana", "executa")["message"] == load_catalogue("en").render("answer_text.passed")
    assert check(out, "ana", "resposta")["score"] == 2  # the decision still applies
    html = (out / "ana" / "report.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html


def test_report_of_a_folder_without_results_is_a_usage_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "results.json" in err[0]


def test_a_broken_decisions_file_is_one_line_naming_it(out, capsys):
    path = out.parent / "subs" / "decisions.toml"
    path.write_text("[[decision]]\nsubmission = 'ana'\ncheck = 'resposta'\npoints = 'dois'\ncomment = 'x'\n",
                    encoding="utf-8")
    assert main(["review", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "nº 1" in err[0] and "points" in err[0]


def test_the_decisions_file_round_trips_any_comment(tmp_path):
    path = tmp_path / "decisions.toml"
    tricky = 'Aspas "duplas", \\barra\\, acentuação e\nduas linhas \x7f'
    decisions = (Decision("ana", "resposta", tricky, "prof", "2025-01-01T10:00:00-03:00", 1.25, sha256="a" * 64),
                 Decision("bia", "section_by_structure", "ok", item=True, section="desafio-1"))
    save_decisions(path, decisions)
    assert load_decisions(path) == decisions


def test_results_with_decisions_follow_the_contract(out):
    import jsonschema

    assert decide(out, "ana", "resposta", "--points", "2") == 0
    assert decide(out, "5", comment="Conferido.") == 0
    schema = json.loads((Path(__file__).resolve().parents[1] / "contracts" / "results.schema.json").read_text())
    jsonschema.validate(results(out), schema)
