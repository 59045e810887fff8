"""Grades as CSV: one row per submission, for spreadsheets and LMS gradebooks."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.results import RunResults, SubmissionResult

FIXED_COLUMNS = ("id", "path", "status", "score", "max_score")
# added columns go at the end, so existing readers keep their positions
TRAILING_COLUMNS = ("review_count", "error", "grader_errors")
# the late policy's columns: empty when the submission's time is unknown; final_score is always the grade
LATE_COLUMNS = ("submitted", "late_hours", "late_percent", "final_score")


def format_number(value: float | None) -> str:
    """A machine-readable number: dot decimal, no grouping, integers without ``.0``."""
    if value is None:
        return ""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)


def grade_row(result: SubmissionResult, section_ids: list[str]) -> list[str]:
    """The CSV row of one submission; a section it has no score for is left empty."""
    scores = {s.id: s.score for s in result.sections}
    return [
        result.id,
        result.path,
        result.status,
        format_number(result.score),
        format_number(result.max_score),
        *(format_number(scores.get(sid)) for sid in section_ids),
        str(result.count("review")),
        result.error or "",
        str(result.grader_errors),
        *late_cells(result),
    ]


def late_cells(result: SubmissionResult) -> list[str]:
    """``submitted, late_hours, late_percent, final_score`` of one submission."""
    late = result.late
    if late is None:
        return ["", "", "", format_number(result.final_score)]
    hours = round(late.late.total_seconds() / 3600, 2)
    return [late.submitted.isoformat(), format_number(hours), format_number(late.percent),
            format_number(result.final_score)]


def write_grades_csv(results: RunResults, path: Path) -> None:
    """Write ``id, path, status, score, max_score, <section ids>, review_count, error, grader_errors``
    and the late policy's ``submitted, late_hours, late_percent, final_score``.

    UTF-8, one row per submission sorted by id, one score column per section of the
    assignment (named by the section id). ``grader_errors`` counts the checks that ended in
    ``error`` because of the grader, not the student (a teacher must review them). ``score`` is
    what the checks earned; ``final_score`` the grade after the late penalty (``score`` without one).
    """
    section_ids = [s.id for s in results.assignment.sections]
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*FIXED_COLUMNS, *section_ids, *TRAILING_COLUMNS, *LATE_COLUMNS])
        for result in sorted(results.submissions, key=lambda s: s.id):
            writer.writerow(grade_row(result, section_ids))
