"""The class overview: submissions × sections, both report views, pass rates, errored submissions."""

from __future__ import annotations

import re

from grader.messages import load_catalogue
from grader.report import render_index
from grader.report.dashboard import check_rates
from tests.browser.cases import _passing, _skipped_bonus, render_site, run_results, submissions
from tests.test_report import visible_text


def section(html: str, anchor: str) -> str:
    part = html[html.index(f'id="{anchor}"'):]
    return part[:part.index("</section>")]


def test_rows_link_to_both_views_and_a_plain_path_still_works(tmp_path):
    html = render_site(tmp_path).index.read_text(encoding="utf-8")
    assert 'href="maria_silva/report.html"' in html and 'href="maria_silva/report-professor.html"' in html
    legacy = render_index(run_results([_passing()]), load_catalogue("pt"), {"bia_passou": "bia_passou/report.html"})
    assert 'href="bia_passou/report.html"' in legacy and "report-professor" not in legacy


def test_submissions_by_sections_table_with_not_attempted_bonus():
    html = render_index(run_results([_passing(), _skipped_bonus()]), load_catalogue("pt"), {})
    table = visible_text(section(html, "submissions"))
    # the total next to the id; each section by its short label, its full title on hover
    assert "Aluno(a) Total Situação Relatórios Desafio 1 Desafio 3 Bônus A revisar" in table
    assert 'title="Desafio 1: parâmetros"' in html and 'title="Bônus: Dropout (bônus)"' in html
    assert "bia_passou 20 / 20 corrigida — 5,5 / 5,5 5 / 5 1 / 1" in table
    assert "eva_sem_bonus 19 / 20 corrigida — 5,5 / 5,5 5 / 5 não tentado" in table
    english = visible_text(render_index(run_results([_skipped_bonus()]), load_catalogue("en"), {}))
    assert "not attempted" in english


def test_a_bonus_left_alone_is_not_a_failure_in_pass_rates_or_averages():
    rates = {r.id: r for r in check_rates([_passing(), _skipped_bonus()])}
    bonus = rates["bonus-acuracia"]
    assert (bonus.passed, bonus.judged, bonus.not_attempted, bonus.rate) == (1, 1, 1, 1.0)
    html = render_index(run_results([_passing(), _skipped_bonus()]), load_catalogue("pt"), {})
    averages = visible_text(html[html.index("Médias por seção"):])
    assert "Bônus: Dropout 1 / 1 (100%)" in averages


def test_pass_rates_worst_first_with_review_and_grader_errors_apart():
    subs = list(submissions().values())
    rates = check_rates([s for s in subs if s.status == "graded"])
    values = [r.rate for r in rates if r.rate is not None]
    assert values == sorted(values)
    by_id = {r.id: r for r in rates}
    assert by_id["d1-params"].passed < by_id["d1-params"].judged
    assert by_id["d3-saida"].pending >= 1  # a grader error: pending, not a failure
    html = render_index(run_results(subs), load_catalogue("pt"), {})
    block = visible_text(section(html, "pass-rates"))
    assert "Acertos por verificação" in visible_text(html)
    assert block.index("d1-params") < block.index("d1-executa")  # worst first
    assert re.search(r"d1-params Parâmetros do modelo Desafio 1: parâmetros \d+% \d de \d", block)


def test_errored_submissions_with_their_reason():
    html = render_index(run_results(list(submissions().values())), load_catalogue("pt"), {})
    block = visible_text(section(html, "errored"))
    assert "zeca_erro" in block and "excedeu o tempo total de 600 s" in block
    assert "maria_silva" not in block
    clean = visible_text(section(render_index(run_results([_passing()]), load_catalogue("en"), {}), "errored"))
    assert "No submission with errors." in clean


def test_the_page_reads_without_javascript():
    html = render_index(run_results([_passing()]), load_catalogue("pt"), {})
    # the sort hint is hidden until the script shows it; headers are plain text until then
    assert '<p class="muted small sort-hint" hidden>' in html and "<button" not in html
    assert html.count("<script>") == 1 and "<script src" not in html


def test_an_untried_bonus_is_neutral_in_the_class_table_and_the_pass_rates():
    from grader.report.dashboard import check_rates, section_not_attempted
    from grader.results import CheckResult, ExecutionSummary, SectionInfo, SectionScore, SubmissionResult

    def sub(sid: str, attempted: bool, status: str) -> SubmissionResult:
        check = CheckResult("bonus-x", "bonus", "model_structure", status, 1.0 if status == "passed" else 0.0, 1.0, "m")
        section = SectionScore("bonus", check.score, 1.0, "Bônus", True, attempted)
        return SubmissionResult(sid, f"{sid}.ipynb", "a" * 64, "graded", check.score, 20.0, (section,), (check,),
                                ExecutionSummary(1.0))

    untried, tried_wrong, tried_right = sub("ana", False, "failed"), sub("bia", True, "failed"), sub("caio", True, "passed")
    info = SectionInfo("bonus", "Bônus", 1.0, True)
    assert section_not_attempted(untried, info) and not section_not_attempted(tried_wrong, info)
    (rate,) = check_rates([untried, tried_wrong, tried_right])
    assert (rate.judged, rate.passed, rate.not_attempted) == (2, 1, 1)


def test_short_section_labels():
    from grader.report.dashboard import short_label

    assert short_label("Parte 3: modelo multiclasse binarizado × modelo binário", "parte-3") == "Parte 3"
    assert short_label("Bônus", "bonus") == "Bônus"
    assert short_label("Uma seção de título longo sem dois-pontos", "secao-x") == "secao-x"
