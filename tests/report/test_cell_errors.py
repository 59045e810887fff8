"""A failed cell has one number (its position), its error line marked, and no IPython-internal names.

The tracebacks are what ipykernel sends (colours removed), recorded from real kernels.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from grader.facts import CellRecord
from grader.messages import load_catalogue
from grader.report import render_submission_report
from grader.report.cells import cell_error_view
from grader.scoring import execution_summary
from tests.report.test_student_report import assignment, graded, visible_text  # noqa: F401 (fixture)

SYNTAX_SOURCE = "y = 2\nprint('a'\nz = 3"
SYNTAX_TRACEBACK = """  Cell In[6], line 2
    print('a'
         ^
SyntaxError: '(' was never closed
"""
SYNTAX_EVALUE = "'(' was never closed (3723260683.py, line 2)"
# older ipykernel: the cell's file under /tmp/ipykernel_<pid>/
OLD_SYNTAX_TRACEBACK = """  File "/tmp/ipykernel_81/3723260683.py", line 2
    print('a'
         ^
SyntaxError: '(' was never closed
"""
CALLED_TRACEBACK = """---------------------------------------------------------------------------
ZeroDivisionError                         Traceback (most recent call last)
Cell In[6], line 2
      1 y = 2
----> 2 f()

Cell In[3], line 2, in f()
      1 def f():
----> 2   return 1/0

ZeroDivisionError: division by zero"""


@pytest.mark.parametrize("traceback", [SYNTAX_TRACEBACK, OLD_SYNTAX_TRACEBACK])
def test_a_syntax_error_marks_its_line_and_names_no_internal_file(traceback):
    cat = load_catalogue("pt")
    record = CellRecord(9, "desafio-3", "error", "SyntaxError", SYNTAX_EVALUE, traceback, source=SYNTAX_SOURCE)
    view = cell_error_view(record, 9, "desafio-3", "SyntaxError", SYNTAX_EVALUE, cat)
    assert [line.number for line in view.source if line.error] == [2] and view.marked
    assert view.evalue == "'(' was never closed"
    assert "3723260683" not in view.traceback + view.evalue and "ipykernel_" not in view.traceback
    assert view.traceback.lstrip().startswith("Célula 10, linha 2")


def test_frames_of_the_failing_cell_carry_its_position_and_others_say_another_cell():
    view = cell_error_view(CellRecord(9, None, "error", "ZeroDivisionError", "division by zero", CALLED_TRACEBACK,
                                      source="y = 2\nf()"), 9, None, "ZeroDivisionError", "division by zero",
                           load_catalogue("pt"))
    assert "Célula 10, linha 2" in view.traceback and "Outra célula do notebook, linha 2, in f()" in view.traceback
    assert "In[" not in view.traceback


def test_the_report_promises_the_marker_only_when_a_line_is_marked(assignment):  # noqa: F811
    result, facts, reference = graded(assignment)
    for traceback, promised in ((SYNTAX_TRACEBACK, True), ("SyntaxError: invalid syntax", False)):
        cells = (CellRecord(9, "desafio-3", "error", "SyntaxError", SYNTAX_EVALUE, traceback, source=SYNTAX_SOURCE),)
        broken = dataclasses.replace(facts, cells=cells)
        shown = dataclasses.replace(result, execution=execution_summary(broken, load_catalogue("pt")))
        html = render_submission_report(shown, assignment, load_catalogue("pt"), broken, reference)
        text = visible_text(html)
        source = re.search(r'<pre class="source"[^>]*>(.*?)</pre>', html, re.S).group(1)
        assert ("marcada com ►" in text) == promised and ("►2" in source) == promised
        assert "3723260683" not in html and "Célula 10 do notebook" in text


def test_the_executes_check_names_no_internal_file(assignment):  # noqa: F811
    from grader.checks.base import default_registry
    from grader.scoring import score_submission
    from tests.report.test_student_report import reference_facts, wrong_lenet_facts

    facts = wrong_lenet_facts()
    cells = (CellRecord(4, "desafio-3", "error", "SyntaxError", SYNTAX_EVALUE, SYNTAX_TRACEBACK, source=SYNTAX_SOURCE),)
    facts = dataclasses.replace(facts, cells=cells)
    result = score_submission(submission_id="ana", path="ana.ipynb", assignment=assignment, facts=facts,
                              reference=reference_facts(), registry=default_registry(), catalogue=load_catalogue("pt"))
    message = next(c.message for c in result.checks if c.id == "d3-executa")
    assert "SyntaxError: '(' was never closed" in message and ".py" not in message
