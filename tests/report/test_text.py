"""The terminal (``grader check``) and the notebook (``verificar()``) say what the student's report says.

The wrong LeNet-5 of ``test_student_report`` (hand-made facts, real cnn-pratica spec and
checks, no kernel): its bonus is untried, its first Conv2D has 8 filters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.kit.contents import KitContents
from grader.kit.live import _render_text
from grader.messages import load_catalogue
from grader.report import render_submission_report
from grader.report.text import check_lines
from grader.selfcheck import CheckSummary, print_summary
from tests.report.test_student_report import assignment, graded, visible_text  # noqa: F401 (fixture)


def report_statuses(html: str) -> dict[str, str]:
    """Check id -> the status word of its badge in the student's report."""
    found = {}
    for article in re.findall(r'<article class="check c-[\w]+">.*?</article>', html, flags=re.S):
        check_id = re.search(r'<span class="muted small mono">([^<]+)</span>', article).group(1)
        badge = re.search(r'<span class="badge st-\w+">.*?</span>(.*?)</span>', article, flags=re.S).group(1)
        found[check_id] = badge.strip()
    return found


def terminal(assignment, capsys, lang="pt") -> str:  # noqa: F811
    result, _, _ = graded(assignment, lang)
    print_summary(result, Path("ana-relatorio/ana/report.html"), lang)
    return capsys.readouterr().out


def test_the_terminal_gives_each_check_the_reports_verdict_and_its_id(assignment, capsys):  # noqa: F811
    result, facts, reference = graded(assignment)
    html = render_submission_report(result, assignment, load_catalogue("pt"), facts, reference)
    out = terminal(assignment, capsys)
    for check_id, status in report_statuses(html).items():
        assert re.search(rf"\[{re.escape(status)}\] {re.escape(check_id)}\b", out), (check_id, status)


def test_an_untried_bonus_reads_not_tried_in_the_terminal_as_in_the_report(assignment, capsys):  # noqa: F811
    out = terminal(assignment, capsys)
    bonus = out[out.index("Bônus"):out.index("Nota:")]
    assert "○ [não tentado] bonus-bn-dropout" in bonus and "Seção bônus não tentada: não conta como erro." in bonus
    assert "reprovado" not in bonus and "Nenhum modelo" not in bonus


def test_an_untried_bonus_alone_does_not_fail_the_self_check(assignment):  # noqa: F811
    result, _, _ = graded(assignment)
    bonus_only = result.__class__(**{**result.__dict__, "checks": tuple(
        c.__class__(**{**c.__dict__, "status": "passed"}) if c.section != "bonus-bn-dropout" else c
        for c in result.checks)})
    assert int(CheckSummary(bonus_only, Path("r.html")).exit_code) == 0
    assert int(CheckSummary(result, Path("r.html")).exit_code) == 1


def test_the_terminal_names_the_layer_and_attribute_instead_of_pointing_at_a_table(assignment, capsys):  # noqa: F811
    out = terminal(assignment, capsys)
    line = next(l for l in out.splitlines() if "d3-estrutura" in l)
    assert "A 1ª camada Conv2D difere em: filtros." in line
    assert "comparação camada a camada" not in out
    english = terminal(assignment, capsys, "en")
    assert "Conv2D layer no. 1 differs in: filters." in english and "layer-by-layer" not in english


def test_the_terminal_reveals_no_reference_value(assignment, capsys):  # noqa: F811
    out = terminal(assignment, capsys)
    for number in ("61.706", "44.426", "61706", "Conv2D(6,"):
        assert number not in out


def test_verificar_shows_the_same_lines_as_the_terminal(assignment, capsys):  # noqa: F811
    result, facts, reference = graded(assignment)
    cat = load_catalogue("pt")
    kit = KitContents(assignment, reference, "K")
    text = _render_text(result, kit, None, cat)
    out = terminal(assignment, capsys)
    for line in check_lines(result, cat):
        assert line.text() in text and line.text() in out
    assert "Bônus: Batch Normalization e Dropout: Seção bônus não tentada" in text
    assert "Nenhum modelo" not in text and "comparação camada a camada" not in text


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_every_message_pointing_at_the_table_ends_with_the_replaced_sentence(lang):
    """The terminal replaces one sentence: a message pointing at the table in other words would keep it."""
    cat = load_catalogue(lang)
    pointer = cat("model_structure.see_rows")
    for key in ("model_structure.partial", "model_structure.no_match"):
        assert cat.messages[key].endswith(pointer), key
