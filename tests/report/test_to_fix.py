"""The report opens with what to fix: the failed and partial checks, each linked to its place."""

from __future__ import annotations

import dataclasses
import re

from grader.messages import load_catalogue
from grader.report import render_submission_report
from tests.report.test_student_report import assignment, graded, render, visible_text  # noqa: F401 (fixture)


def to_fix(html: str) -> str:
    found = re.search(r'<nav class="card to-fix".*?</nav>', html, flags=re.S)
    return found.group(0) if found else ""


def test_the_failed_and_partial_checks_come_first_linked_to_their_place(assignment):  # noqa: F811
    result, _, _ = graded(assignment)
    html = render(assignment)
    nav = to_fix(html)
    assert nav and html.index(nav) < html.index('id="section-')
    assert "O que corrigir" in visible_text(nav)
    linked = re.findall(r'href="#check-([^"]+)"', nav)
    wanted = [c.id for c in result.checks if c.status in ("failed", "partial") and c.section != "bonus-bn-dropout"]
    assert linked == wanted and "d3-estrutura" in linked  # in the report's order; the untried bonus is not there
    for check_id in linked:
        assert f'id="check-{check_id}"' in html


def test_a_report_with_nothing_to_fix_has_no_list(assignment):  # noqa: F811
    result, facts, reference = graded(assignment)
    passed = dataclasses.replace(result, checks=tuple(dataclasses.replace(c, status="passed") for c in result.checks))
    html = render_submission_report(passed, assignment, load_catalogue("en"), facts, reference)
    assert not to_fix(html) and "What to fix" not in html
