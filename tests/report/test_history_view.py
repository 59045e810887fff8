"""The score history in the instructor's view (never the student's), recorded by a run and by a re-render.

Facts are hand-made (no kernel); the scoring, the store, the outputs and the rendering are the real ones.
"""

from __future__ import annotations

import dataclasses
import json

from grader.history import record_run, rubric_hash
from grader.messages import load_catalogue
from grader.outputs import INSTRUCTOR_REPORT, STUDENT_REPORT, save_run_inputs, write_outputs
from grader.report import render_submission_report
from grader.report.common import Formatter
from grader.rerender import report
from grader.store import Store
from tests.report.test_student_report import assignment, graded, parse_strictly, visible_text  # noqa: F401

FIRST, SECOND = "ab" * 32, "cd" * 32  # the notebook handed in, then handed in again


def _two_versions(assignment, tmp_path, lang="pt"):  # noqa: F811
    """ana graded, then her second notebook graded (with 2 points more); both views written."""
    result, facts, reference = graded(assignment, lang)
    first = dataclasses.replace(result, sha256=FIRST)
    second = dataclasses.replace(result, sha256=SECOND, score=result.score + 2)
    store, out = tmp_path / "store.sqlite", tmp_path / "out"
    record_run(store, out, assignment, reference.sha256, [first], "0.1.0")
    history = record_run(store, out, assignment, reference.sha256, [second], "0.1.0")
    write_outputs(out, assignment, {"ana": (second, facts)}, reference, lang, history=history)
    save_run_inputs(out, assignment, reference)
    return first, second, out


def test_the_instructors_view_lists_every_graded_version_oldest_first(assignment, tmp_path):  # noqa: F811
    first, second, out = _two_versions(assignment, tmp_path)
    html = (out / "ana" / INSTRUCTOR_REPORT).read_text(encoding="utf-8")
    text = visible_text(html)
    fmt = Formatter(load_catalogue("pt"))
    assert "Histórico de notas" in text
    assert text.index(FIRST[:12]) < text.index(SECOND[:12])
    assert f"{fmt.score(first.score)} / {fmt.score(first.max_score)}" in text
    assert "primeira versão avaliada" in text and "notebook entregue de novo" in text
    assert text.count("este relatório") == 1 and text.index("este relatório") > text.index(SECOND[:12])
    assert rubric_hash(assignment, graded(assignment)[2].sha256) in text
    parse_strictly(html)


def test_the_students_view_shows_no_other_version(assignment, tmp_path):  # noqa: F811
    first, _, out = _two_versions(assignment, tmp_path)
    html = (out / "ana" / STUDENT_REPORT).read_text(encoding="utf-8")
    text = visible_text(html)
    assert "Histórico de notas" not in text and 'id="history"' not in html
    assert FIRST[:12] not in html and "notebook entregue de novo" not in text
    # nor when the history is handed to the student's view itself
    result, facts, reference = graded(assignment)
    versions = Store(tmp_path / "store.sqlite").history(assignment.id)["ana"]
    html = render_submission_report(result, assignment, load_catalogue("pt"), facts, reference, history=versions)
    assert FIRST[:12] not in html and 'id="history"' not in html


def test_the_history_speaks_english(assignment, tmp_path):  # noqa: F811
    _, _, out = _two_versions(assignment, tmp_path, "en")
    text = visible_text((out / "ana" / INSTRUCTOR_REPORT).read_text(encoding="utf-8"))
    assert "Score history" in text and "notebook handed in again" in text and "this report" in text


def test_a_re_render_records_no_second_copy_and_keeps_the_history(assignment, tmp_path):  # noqa: F811
    _, second, out = _two_versions(assignment, tmp_path)
    report(out=out, announce=False)  # the same notebooks under the same rubric
    history = Store(tmp_path / "store.sqlite").history(assignment.id)["ana"]
    assert [v.sha256 for v in history] == [FIRST, SECOND]
    text = visible_text((out / "ana" / INSTRUCTOR_REPORT).read_text(encoding="utf-8"))
    assert FIRST[:12] in text and SECOND[:12] in text
    assert json.loads((out / ".grader" / "store.json").read_text())["store"] == str((tmp_path / "store.sqlite").resolve())


def test_without_a_store_there_is_no_history(assignment, tmp_path):  # noqa: F811
    result, facts, reference = graded(assignment)
    history = record_run(None, tmp_path / "out", assignment, reference.sha256, [result], "0.1.0")
    assert history == {}
    write_outputs(tmp_path / "out", assignment, {"ana": (result, facts)}, reference, "pt", history=history)
    assert "Histórico de notas" not in (tmp_path / "out" / "ana" / INSTRUCTOR_REPORT).read_text(encoding="utf-8")
