"""``executes``: every cell of the section ran without error."""

from __future__ import annotations

from grader.checks.base import Outcome, check_kind, failed, passed
from grader.checks.structure import section_title
from grader.facts import CellRecord, NotebookFacts, plain_evalue
from grader.spec import CheckSpec

MESSAGES = {
    "error": "executes.cell_error",
    "timeout": "executes.cell_timeout",
    "skipped": "executes.cell_skipped",
    "not_run": "executes.cell_not_run",
}
# a kernel the grader stopped, by the name the runner gives the cell's error
KERNEL_STOPS = {"KernelDied": "executes.kernel_died", "DiskQuotaExceeded": "executes.disk_quota"}
MAX_EVALUE = 300


def _cell_params(cell: CellRecord, position: int) -> dict:
    evalue = plain_evalue(cell.evalue)
    if len(evalue) > MAX_EVALUE:
        evalue = evalue[:MAX_EVALUE] + "…"
    # ``index`` is the 0-based position in the notebook; students count from 1.
    return {"cell": cell.index + 1, "position": position, "ename": cell.ename or "Error", "evalue": evalue}


def located_by_structure(student: NotebookFacts, section_id: str) -> bool:
    """True when the section's heading was not found but its model was (see :mod:`grader.locate`)."""
    return any(note.get("kind") == "section_by_structure" and note.get("section") == section_id
               for note in student.review_notes)


@check_kind("executes", models=False, evaluation=False, kit=True)
def check_executes(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Passed when the section was found and each of its cells finished with status ``ok``."""
    section = student.section(check.section)
    cells = sorted(student.cells_of(check.section), key=lambda c: c.index)
    if section is None and located_by_structure(student, check.section):
        # the heading was not found but the section's model was: the cells outside the
        # graded sections hold the section's code
        cells = sorted((c for c in student.cells if c.section is None), key=lambda c: c.index)
    if section is None and not cells:
        return failed("executes.section_missing", params={"section": section_title(reference, check.section)})
    if not cells:
        return failed("executes.no_cells", params={"section": section_title(reference, check.section)})
    if section is not None and not section.attempted:
        return failed("executes.not_attempted", params={"section": section_title(reference, check.section)})
    # a cell the spec's [[execution.skip]] excluded was not run on purpose: not the student's problem
    problems = [(n, c) for n, c in enumerate(cells, start=1) if c.status not in ("ok", "excluded")]
    if not problems:
        return passed("executes.passed", params={"cells": len(cells)})
    position, first = problems[0]
    details = {"cells": [{"index": c.index, "status": c.status, "ename": c.ename, "evalue": c.evalue} for _, c in problems]}
    key = KERNEL_STOPS.get(first.ename or "") or MESSAGES.get(first.status, "executes.cell_error")
    return failed(key, params=_cell_params(first, position), expected="ok", actual=first.status, details=details)
