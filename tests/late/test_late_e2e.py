"""The late policy through a real run of relu-exercicios: grader run --submitted and grader report.

Both read the session's graded run (tests/conftest.py); ``grader run`` here finds every
notebook in the copied store, so no kernel starts.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta, timezone

import jsonschema

from grader.cli import main
from grader.late import LatePolicy
from tests.conftest import ROOT, SCHEMA
from tests.report.test_html_valid import parse_strictly

BRT = timezone(timedelta(hours=-3))
DUE = datetime(2026, 3, 10, 23, 59, tzinfo=BRT)
LATE_TABLE = '\n[late]\ndue = 2026-03-10T23:59:00-03:00\npercent_per_day = 10\ngrace_minutes = 15\n'
ON_TIME, LATE = "01-correta", "07-contas-erradas"


def times_file(tmp_path):
    path = tmp_path / "horarios.csv"
    path.write_text(f"id,submitted\n{ON_TIME},2026-03-10T20:00:00-03:00\n{LATE},2026-03-12T12:00:00Z\n",
                    encoding="utf-8")
    return path


def assert_late_everywhere(out, graded_score: dict[str, float]):
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, json.loads(SCHEMA.read_text()))
    subs = {s["id"]: s for s in results["submissions"]}
    assert subs[ON_TIME]["late"]["percent"] == 0 and subs[ON_TIME]["late"]["late"] == 0
    late = subs[LATE]["late"]  # 2026-03-12 09:00 BRT: 1 d 9 h 1 min late, 2 started days
    assert (late["units"], late["percent"], late["per"]) == (2, 20, "day")
    assert late["score_before"] == subs[LATE]["score"] == graded_score[LATE]
    assert late["score"] == round(graded_score[LATE] * 0.8, 2)
    assert all(s.get("late") is None for k, s in subs.items() if k not in (ON_TIME, LATE))
    rows = {r["id"]: r for r in csv.DictReader((out / "grades.csv").open(encoding="utf-8"))}
    assert rows[LATE]["late_percent"] == "20" and float(rows[LATE]["final_score"]) == late["score"]
    assert rows[LATE]["late_hours"] == "33.02" and rows[LATE]["submitted"] == "2026-03-12T12:00:00+00:00"
    assert rows[ON_TIME]["late_percent"] == "0" and rows["05-template-intocado"]["late_percent"] == ""
    assert rows["05-template-intocado"]["final_score"] == rows["05-template-intocado"]["score"]
    for page in ("report.html", "report-professor.html"):
        html = (out / LATE / page).read_text(encoding="utf-8")
        assert "Nota com o desconto por atraso" in html and "2 dia(s) de atraso, −20%" in html
        assert "Entregue no prazo" in (out / ON_TIME / page).read_text(encoding="utf-8")
    assert "−20%" in (out / "index.html").read_text(encoding="utf-8")
    for page in (out / LATE / "report.html", out / LATE / "report-professor.html", out / "index.html"):
        parse_strictly(page)  # the late note and tag keep the pages valid HTML5


def test_grader_report_applies_a_late_policy(graded_examples, tmp_path, capsys):
    graded = graded_examples("relu-exercicios")
    out = tmp_path / "out"
    shutil.copytree(graded.out, out)
    snapshot = out / ".grader" / "assignment.json"
    assignment = json.loads(snapshot.read_text(encoding="utf-8"))
    assignment["late"] = LatePolicy(due=DUE, percent=10.0, grace=timedelta(minutes=15)).to_json()
    snapshot.write_text(json.dumps(assignment), encoding="utf-8")
    assert main(["report", str(out), "--submitted", str(times_file(tmp_path))]) == 0
    scores = {s["id"]: s["score"] for s in graded.results["submissions"]}
    assert_late_everywhere(out, scores)
    err = capsys.readouterr().err
    # 7 examples + the reference; the one on time is not late, the six others have no time
    assert "1 de 8 entrega(s) atrasada(s), 1 com desconto" in err and "6 entrega(s) sem horário" in err


def test_grader_run_reads_the_times_and_the_spec(graded_examples, tmp_path, capsys):
    graded = graded_examples("relu-exercicios")
    folder = tmp_path / "assignments" / "relu-exercicios"
    shutil.copytree(ROOT / "assignments" / "relu-exercicios", folder)
    (tmp_path / "reference").mkdir()
    shutil.copy(ROOT / "reference" / "relu-exercicios.ipynb", tmp_path / "reference")
    with (folder / "assignment.toml").open("a", encoding="utf-8") as spec:
        spec.write(LATE_TABLE)
    store = tmp_path / "store.sqlite"
    shutil.copy(graded.store, store)
    out = tmp_path / "out"
    code = main(["run", str(graded.submissions), "--assignment", str(folder), "--out", str(out), "--store", str(store),
                 "--submitted", str(times_file(tmp_path)), "--jobs", "1"])
    assert code == 0
    scores = {s["id"]: s["score"] for s in graded.results["submissions"]}
    assert_late_everywhere(out, scores)
    assert "Política de atraso (prazo 2026-03-10T23:59:00-03:00)" in capsys.readouterr().err
