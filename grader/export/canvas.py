"""The Canvas gradebook import CSV, written from the gradebook Canvas exported (the roster).

Canvas imports ``Student, ID, SIS User ID, SIS Login ID, Section`` followed by one column per
assignment; a second row ``Points Possible`` gives each assignment's points. An assignment
column named ``Title (12345)`` updates Canvas assignment 12345; any other name creates a new
assignment (said as a warning, with the roster's own columns: ``--column`` may name one by its
title alone or its id). The grade is the submission's score after the late penalty. Roster students with
no submission keep an empty cell (Canvas leaves their grade alone); submissions no student
matched are appended as rows of their own (Canvas asks the instructor to pick the student).
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.export.csv import format_number
from grader.export.options import ExportOptions, ExportOutcome
from grader.export.roster import RosterStudent, email_local_parts, match_submissions, read_roster, write_rows
from grader.results import RunResults

STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
IDENTIFIER_COLUMNS = ("SIS User ID", "SIS Login ID", "Integration ID", "Email")


def _is_student(row: dict[str, str]) -> bool:
    """Roster rows that are students: not the ``Points Possible`` row, nor a posting-policy row."""
    return bool(row.get("ID", "").strip()) and row.get("Student", "").strip() != POINTS_POSSIBLE


def canvas_students(rows: list[dict[str, str]]) -> list[RosterStudent]:
    """The roster's students with every identifier they can be matched by."""
    logins = [r.get(c, "").strip() for r in rows for c in ("SIS Login ID", "Email")]
    local = email_local_parts([x for x in logins if x])
    students = []
    for n, row in enumerate(rows):
        ids = {row["ID"].strip()} | {row.get(c, "").strip() for c in IDENTIFIER_COLUMNS}
        ids |= {local[x] for x in ids if x in local}
        students.append(RosterStudent(n, row["ID"].strip(), frozenset(x.casefold() for x in ids if x),
                                      row.get("Student", "").strip()))
    return students


_WITH_ID = re.compile(r"(?P<name>.*?)\s*\((?P<id>\d+)\)")


def _named(header: tuple[str, ...], name: str) -> list[str]:
    """The columns ``name`` designates: itself, ``name (123)``, or the column of Canvas assignment ``name``."""
    name = name.strip()
    if name in header:
        return [name]
    found = []
    for column in header:
        parts = _WITH_ID.fullmatch(column.strip())
        if parts and (parts["name"].casefold() == name.casefold() or parts["id"] == name):
            found.append(column)
    return found


def assignment_column(header: tuple[str, ...], results: RunResults, asked: str | None) -> str:
    """The roster's column ``asked`` designates (its title with or without the Canvas id, or the id), else
    ``asked``; without ``asked``, the roster's column for this assignment, else the assignment's title."""
    for name in [asked] if asked else [results.assignment.title, results.assignment.id]:
        found = _named(header, name)
        if len(found) == 1:
            return found[0]
    return asked or results.assignment.title


def new_column_warning(header: tuple[str, ...], column: str) -> tuple[str, dict] | None:
    """Canvas creates a new assignment for a column the roster does not have: say so, with the roster's own."""
    if column in header:
        return None
    existing = [h for h in header if h not in STUDENT_COLUMNS and _WITH_ID.fullmatch(h.strip())]
    return "cli.export.canvas_new_column", {"column": column, "existing": ", ".join(f"'{h}'" for h in existing) or "—"}


def write_canvas_csv(results: RunResults, path: Path, options: ExportOptions) -> ExportOutcome:
    """Write the Canvas import for ``results`` starting from the Canvas export ``options.roster``."""
    roster = read_roster(options.roster, ("Student", "ID"), "Canvas gradebook export")
    rows = [r for r in roster.rows if _is_student(r)]
    matching = match_submissions(results.submissions, canvas_students(rows), "canvas")
    column = assignment_column(roster.header, results, options.column)
    body = [[row.get(c, "") for c in STUDENT_COLUMNS]
            + [format_number(matching.by_row[n].final_score) if n in matching.by_row else ""]
            for n, row in enumerate(rows)]
    by_id = {s.id: s for s in results.submissions}
    for missing in matching.unmatched:  # never dropped: Canvas lets the instructor pick the student
        label = f"{missing.name} ({missing.submission})" if missing.name else missing.submission
        body.append([label, "", "", "", "", format_number(by_id[missing.submission].final_score)])
    points = [POINTS_POSSIBLE, "", "", "", "", format_number(results.assignment.max_score)]
    write_rows(path, [*STUDENT_COLUMNS, column], [points, *body], bom=roster.bom)
    warning = new_column_warning(roster.header, column)
    return ExportOutcome(written=len(matching.by_row), without_submission=len(rows) - len(matching.by_row),
                         unmatched=matching.unmatched, warnings=(warning,) if warning else ())
