"""The warning that the reference solution failed: cells excluded by the spec's rules are no failure."""

from grader.facts import CellRecord, NotebookFacts
from grader.grading import reference_failures


def test_excluded_cells_are_not_reference_failures():
    facts = NotebookFacts(sha256="r", cells=(CellRecord(0, "parte-1", "ok"),
                                             CellRecord(1, "parte-4", "excluded", reason="2 × 50 épocas")))
    assert reference_failures(facts) is None


def test_a_cell_that_failed_is_named():
    facts = NotebookFacts(sha256="r", cells=(CellRecord(0, "parte-1", "ok"),
                                             CellRecord(1, "parte-1", "error", ename="KeyError", evalue="'x'")))
    assert reference_failures(facts) == "2: KeyError: 'x'"
