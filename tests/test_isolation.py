"""A step after execution that fails costs its own submission only; a run's outputs are always written.

Real runs of the tiny "mini" assignment that start no kernel: every notebook's facts are in the
store already (as when a rubric changes), and some of them are hostile. ``grader report`` is
fed a results.json a teacher edited by hand. Each failure must be named (the submission's
``error`` and ``failures``, the run's ``failures``) and every output written.
"""

from __future__ import annotations

import json
import sqlite3
import time

import jsonschema
import nbformat
import pytest

from grader import __version__
from grader.facts import CellRecord, NotebookFacts, SectionFacts
from grader.grade import execution_key
from grader.notebook import sha256_file
from grader.rerender import report
from grader.run import make_context, run
from grader.store import Store
from tests.conftest import SCHEMA
from tests.mini_assignment import MODEL, build_mini, mini_notebook

LATE = '\n[late]\ndue = 2026-03-10T23:59:00-03:00\npercent_per_day = 10\n'


def _plain(sha256: str, answer: str = "São 25.450 parâmetros") -> dict:
    cells = (CellRecord(0, None, "ok"), CellRecord(1, "desafio-1", "ok"))
    section = SectionFacts("desafio-1", "Desafio 1", cells=(1,), answer_text=answer, attempted=True, harvested=True)
    return NotebookFacts(sha256=sha256, seconds=1.0, cells=cells, sections=(section,)).to_json()


def _class(tmp_path, dataset_dir, hostile: dict[str, dict], late: bool = False):
    """The mini assignment, a submission per entry of ``hostile`` (its facts patched so), all stored."""
    assignments, subs = build_mini(tmp_path)
    if late:
        spec = assignments / "mini" / "assignment.toml"
        spec.write_text(spec.read_text(encoding="utf-8") + LATE, encoding="utf-8")
    for n, name in enumerate(hostile):
        nbformat.write(mini_notebook(MODEL.format(units=20 + n), f"Resposta de {name}"), str(subs / f"{name}.ipynb"))
    from grader.assignments import load

    spec, _ = load("mini", assignments)
    context = make_context(spec, data_dir=dataset_dir, store=tmp_path / "store.sqlite", no_store=False,
                           cell_timeout=None, jobs=1)
    key = execution_key(context.assignment, context.sandbox.level)
    Store(context.store_path)
    rows = [(tmp_path / "reference" / "mini.ipynb", {})] + [(subs / f"{n}.ipynb", {}) for n in ("ana", "bia")]
    rows += [(subs / f"{name}.ipynb", patch) for name, patch in hostile.items()]
    with sqlite3.connect(context.store_path) as db:  # as JSON text: what no dataclass would let through
        for path, patch in rows:
            sha = sha256_file(path)
            db.execute("INSERT INTO facts VALUES (?, ?, ?, ?, ?)",
                       (sha, key, __version__, json.dumps({**_plain(sha), **patch}), time.time()))
    return dict(submissions=subs, assignment="mini", out=tmp_path / "out", jobs=1, data_dir=dataset_dir,
                store=context.store_path, assignments_dir=assignments)


def _outputs_written(out, ids, valid: bool = True):
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    if valid:
        jsonschema.validate(results, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert (out / "grades.csv").is_file() and (out / "index.html").is_file()
    for sub_id in ids:
        for page in ("report.html", "report-professor.html"):
            assert (out / sub_id / page).stat().st_size > 0
    return {s["id"]: s for s in results["submissions"]}


def test_hostile_facts_cost_their_own_submission_and_every_output_is_written(tmp_path, dataset_dir):
    deep = json.loads("[" * 700 + "]" * 700)  # a student's variable nested as deep as JSON reading allows
    hostile = {
        # a teacher's note about a section whose id is not a string: scoring takes it (it raised once)
        "carla": {"review_notes": [{"kind": "section_by_structure", "section": {"id": "desafio-1"}}]},
        # the report: a cell's traceback that is not text
        "davi": {"cells": [{"index": 1, "section": "desafio-1", "status": "error", "ename": "E", "traceback": {"frames": 1}}]},
        # facts.json: nested beyond what writing JSON recurses into
        "eva": {"sections": [{"id": "desafio-1", "title": "D", "values": {"x": deep}, "answer_text": "a"}]},
        # text no UTF-8 writer takes, and control characters: no failure at all
        "fabio": {"sections": [{"id": "desafio-1", "title": "D\ud800", "answer_text": "25.450 \udfff\x00\x1b[31m"}]},
    }
    summary = run(**_class(tmp_path, dataset_dir, hostile))
    out = tmp_path / "out"
    results = _outputs_written(out, ["ana", "bia", *hostile])
    assert {k: r["status"] for k, r in results.items()} == {
        "ana": "graded", "bia": "graded", "carla": "graded", "davi": "graded", "eva": "graded", "fabio": "graded"}
    assert not results["carla"].get("failures")
    assert [f["step"] for f in results["davi"]["failures"]] == ["report"]
    assert [f["step"] for f in results["eva"]["failures"]] == ["facts"]
    assert "RecursionError" in results["eva"]["error"] and "RecursionError" in (out / "eva" / "facts.json").read_text()
    assert not results["ana"].get("failures") and not results["fabio"].get("failures")
    fabio = json.loads((out / "fabio" / "facts.json").read_text(encoding="utf-8"))
    assert fabio["sections"][0]["answer_text"] == "25.450 \ufffd\x00\x1b[31m"
    # davi's pages name the failure: the reason in the teacher's view only
    student, teacher = ((out / "davi" / p).read_text(encoding="utf-8") for p in ("report.html", "report-professor.html"))
    assert "TypeError" in teacher and "TypeError" not in student
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'>{name}<' in index for name in ("carla", "davi", "eva"))
    assert any(i.reason == "step_failed" for i in next(s for s in summary.results.submissions if s.id == "davi").review)
    with open(out / "grades.csv", encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 7


def test_grader_report_on_a_hand_edited_results_json_names_the_submission_it_fails_for(tmp_path, dataset_dir):
    run(**_class(tmp_path, dataset_dir, {"carla": {}}, late=True), submitted=None)
    out = tmp_path / "out"
    (tmp_path / "subs" / "submitted.toml").write_text(
        '[submitted]\nana = 2026-03-12T10:00:00-03:00\ncarla = 2026-03-12T10:00:00-03:00\n', encoding="utf-8")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    carla = next(s for s in results["submissions"] if s["id"] == "carla")
    carla["score"] = "1,5"  # a teacher's hand, in the Brazilian way
    (out / "results.json").write_text(json.dumps(results), encoding="utf-8")
    (out / "bia" / "facts.json").write_text("{ truncated", encoding="utf-8")

    written = report(out=out, announce=False).results
    by_id = {s.id: s for s in written.submissions}
    # the late policy, the report and the grades.csv row fail for carla's score, and for carla only
    assert [f.step for f in by_id["carla"].failures] == ["late", "report", "grades"]
    # the class statistics cannot add a text up: the dashboard is the plain list, naming it
    assert [f.step for f in written.failures] == ["index"]
    assert 'href="carla/report.html"' in (out / "index.html").read_text(encoding="utf-8")
    with open(out / "grades.csv", encoding="utf-8") as handle:
        assert [line.split(",")[0] for line in handle][1:] == ["ana", "bia"]
    assert by_id["ana"].late is not None and by_id["ana"].late.percent == 20  # the others got the policy
    assert [f.step for f in by_id["bia"].failures] == ["facts"]
    _outputs_written(out, ["ana", "bia", "carla"], valid=False)  # carla's hand-made score stays as it was
    # fixed by hand again: report forgets the failures it does again and finds none
    carla_fixed = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for s in carla_fixed["submissions"]:
        if s["id"] == "carla":
            s["score"] = 1.5
    (out / "results.json").write_text(json.dumps(carla_fixed), encoding="utf-8")
    (out / "bia").joinpath("facts.json").write_text(json.dumps(_plain("0" * 64)), encoding="utf-8")
    again = {s.id: s for s in report(out=out, announce=False).results.submissions}
    assert not again["carla"].failures and again["carla"].error is None and not again["bia"].failures


def test_a_scoring_failure_costs_its_own_submission(tmp_path, dataset_dir, monkeypatch):
    import grader.grading

    real = grader.grading.score_submission

    def fails_for_bia(**kwargs):  # no facts make scoring fail today (the fuzzer's finds are fixed): by hand
        if kwargs["submission_id"] == "bia":
            raise TypeError("unhashable type: 'dict'")
        return real(**kwargs)

    monkeypatch.setattr(grader.grading, "score_submission", fails_for_bia)
    run(**_class(tmp_path, dataset_dir, {}))
    results = _outputs_written(tmp_path / "out", ["ana", "bia"])
    assert (results["ana"]["status"], results["bia"]["status"]) == ("graded", "error")
    assert [f["step"] for f in results["bia"]["failures"]] == ["scoring"] and "TypeError" in results["bia"]["error"]


def test_a_similarity_comparison_that_fails_is_named_and_the_grades_are_written(tmp_path, dataset_dir, monkeypatch):
    import grader.similarity.compare as compare

    def broken(*args, **kwargs):  # no notebook makes copydetect fail today: the failure is put in by hand
        raise MemoryError("copydetect ran out of memory")

    monkeypatch.setattr(compare, "compare_works", broken)
    summary = run(**_class(tmp_path, dataset_dir, {}))
    out = tmp_path / "out"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [f["step"] for f in results["failures"]] == ["similarity"] and "MemoryError" in results["failures"][0]["error"]
    assert [s.status for s in summary.results.submissions] == ["graded", "graded"]
    assert "run-failed" in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "similarity.html").exists()
    _outputs_written(out, ["ana", "bia"])


@pytest.mark.parametrize("step", ["history", "index", "grades"])
def test_a_step_for_the_whole_run_that_fails_leaves_every_other_output(tmp_path, dataset_dir, monkeypatch, step):
    import grader.outputs
    import grader.run

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    target = {"history": (grader.run, "record_run"), "index": (grader.outputs, "render_index"),
              "grades": (grader.outputs, "get_exporter")}[step]
    monkeypatch.setattr(*target, lambda *a, **k: broken)
    if step != "grades":
        monkeypatch.setattr(*target, broken)
    run(**_class(tmp_path, dataset_dir, {}))
    out = tmp_path / "out"
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [f["step"] for f in results["failures"]] == [step]
    assert (out / "index.html").is_file() and (out / "ana" / "report.html").is_file()
    if step == "index":  # the plain list instead, linking every report
        assert 'href="ana/report.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_a_report_or_facts_over_their_bound_are_that_submissions_failure(tmp_path, dataset_dir, monkeypatch):
    import grader.outputs

    monkeypatch.setattr(grader.outputs, "MAX_REPORT_CHARS", 200_000)  # gil's pages show 40 failing cells
    monkeypatch.setattr(grader.outputs, "MAX_FACTS_CHARS", 200_000)
    cells = [{"index": n, "section": "desafio-1", "status": "error", "ename": "ValueError", "evalue": "x" * 2000,
              "traceback": "Traceback\n" + "linha\n" * 1300, "source": "print(1)\n" * 500} for n in range(1, 41)]
    run(**_class(tmp_path, dataset_dir, {"gil": {"cells": cells}}))
    out = tmp_path / "out"
    results = _outputs_written(out, ["ana", "bia", "gil"])
    assert sorted(f["step"] for f in results["gil"]["failures"]) == ["facts", "report"]
    assert not results["ana"].get("failures")
    for name in ("report.html", "report-professor.html", "facts.json"):
        assert (out / "gil" / name).stat().st_size < 200_000
