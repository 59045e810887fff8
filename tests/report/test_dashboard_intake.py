"""What an LMS download told: replaced hand-ins and skipped files on the class overview, the student's name in both pages."""

from __future__ import annotations

from dataclasses import replace

from grader.discovery import DiscoveryInfo, ReplacedSubmission, SkippedFile
from grader.lms_names import SubmissionSource
from grader.messages import load_catalogue
from grader.report import render_index
from tests.browser.cases import _passing, run_results
from tests.report.test_dashboard import section
from tests.test_report import visible_text


def _canvas_run():
    source = SubmissionSource("canvas", "12345", "silvaana", "silvaana_late_12345_900_aluno-1.ipynb",
                              "aluno-1.ipynb", late=True, attempt=1, file_id=900)
    result = replace(_passing(), id="12345", path=source.original, source=source)
    info = DiscoveryInfo("canvas",
                         skipped=(SkippedFile("costabruno_678_701_rascunho.txt", "not_notebook", "678"),
                                  SkippedFile("../fora.ipynb", "unsafe_path")),
                         replaced=(ReplacedSubmission("12345", "silvaana_12345_500_aluno.ipynb", source.original),))
    return replace(run_results([result]), discovery=info)


def test_replaced_and_skipped_files_are_listed_in_both_languages():
    html = render_index(_canvas_run(), load_catalogue("pt"), {})
    intake = visible_text(section(html, "intake"))
    assert "download do Canvas" in intake
    assert "12345 silvaana_late_12345_900_aluno-1.ipynb silvaana_12345_500_aluno.ipynb" in intake
    assert "costabruno_678_701_rascunho.txt 678 não é um notebook" in intake
    assert "../fora.ipynb — caminho inseguro" in intake
    english = visible_text(section(render_index(_canvas_run(), load_catalogue("en"), {}), "intake"))
    assert "Hand-ins replaced by a later one" in english and "not a notebook" in english


def test_the_student_name_and_late_marker_are_in_the_table():
    table = visible_text(section(render_index(_canvas_run(), load_catalogue("pt"), {}), "submissions"))
    assert "12345 silvaana atrasada" in table


def test_a_plain_run_has_no_intake_section():
    html = render_index(run_results([_passing()]), load_catalogue("pt"), {})
    assert 'id="intake"' not in html


def test_the_students_report_names_the_student():
    from tests.test_report import sample_assignment, sample_facts

    from grader.report import render_submission_report

    result = _canvas_run().submissions[0]
    student, reference = sample_facts()
    html = render_submission_report(result, sample_assignment(), load_catalogue("pt"), student, reference)
    assert "12345 · silvaana" in visible_text(html)
