"""Moodle's offline grading worksheet, filled in from the worksheet Moodle downloaded (the roster).

Moodle's assignment downloads ``Identifier`` (``Participant N``), ``Full name``, the site's
identity fields (``Email address``, …), ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can
be changed``, ``Last modified (submission)``, ``Last modified (grade)`` and ``Feedback
comments``; its upload matches rows by ``Identifier`` and columns by their names in the
uploader's language. So the file written keeps the downloaded columns, their order, the
delimiter, the byte-order mark and the decimal separator, and fills ``Grade`` (the score after
the late penalty), ``Last modified (grade)`` (the export's time, so Moodle sees the grade as
newer than its own) and ``Feedback comments`` (a short plain summary and the report's name).
Participants without a submission are left as downloaded; submissions that match no
participant are appended with an empty ``Identifier`` (Moodle skips them) and listed.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from grader.errors import UsageError
from grader.export.csv import format_number
from grader.export.options import ExportOptions, ExportOutcome
from grader.export.roster import RosterFile, RosterStudent, email_local_parts, match_submissions, read_roster, write_rows
from grader.messages import load_catalogue
from grader.results import RunResults, SubmissionResult

# the worksheet's columns as Moodle names them in English and in Brazilian Portuguese
COLUMNS = {
    "identifier": ("Identifier", "Identificador"),
    "name": ("Full name", "Nome completo"),
    "email": ("Email address", "Endereço de email", "Endereço de e-mail"),
    "idnumber": ("ID number", "Número de identificação"),
    "grade": ("Grade", "Nota"),
    "maximum": ("Maximum Grade", "Maximum grade", "Nota máxima"),
    "modified_grade": ("Last modified (grade)", "Última modificação (nota)"),
    "feedback": ("Feedback comments", "Comentários de feedback", "Comentários do feedback"),
}
REQUIRED = ("identifier", "grade")
PARTICIPANT = re.compile(r"\S+\s+(\d+)")  # "Participant 1234", "Participante 1234"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def find_columns(header: tuple[str, ...], path: Path) -> dict[str, str]:
    """The worksheet's name for each column this export reads or fills; the required ones must be there."""
    found = {key: next((h for h in header if h.casefold() in {n.casefold() for n in names}), None)
             for key, names in COLUMNS.items()}
    missing = [COLUMNS[k][0] for k in REQUIRED if found[k] is None]
    if missing:
        raise UsageError(f"'{path}' is not a Moodle grading worksheet: no column {', '.join(missing)}",
                         "usage.roster_columns", file=str(path), what="Moodle grading worksheet",
                         columns=", ".join(missing))
    return {k: v for k, v in found.items() if v is not None}


def moodle_date(moment: datetime) -> str:
    """A date as Moodle writes it in English (``Tuesday, 1 December 2026, 11:42 AM``), which its upload parses."""
    hour = moment.hour % 12 or 12
    return (f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}, "
            f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}")


def decimal_comma(roster: RosterFile, maximum: str | None) -> bool:
    """True when the worksheet writes grades with a decimal comma (``100,00``)."""
    values = [row.get(maximum, "") for row in roster.rows] if maximum else []
    return any("," in v for v in values) and not any("." in v for v in values)


def moodle_students(roster: RosterFile, columns: dict[str, str]) -> list[RosterStudent]:
    emails = [row.get(columns.get("email", ""), "").strip() for row in roster.rows]
    local = email_local_parts([e for e in emails if e])
    students = []
    for n, row in enumerate(roster.rows):
        number = PARTICIPANT.fullmatch(row.get(columns["identifier"], "").strip())
        lms_id = number.group(1) if number else ""
        ids = {lms_id, emails[n], local.get(emails[n], ""), row.get(columns.get("idnumber", ""), "").strip()}
        students.append(RosterStudent(n, lms_id, frozenset(x.casefold() for x in ids if x),
                                      row.get(columns.get("name", ""), "").strip()))
    return students


def feedback_comment(result: SubmissionResult, max_score: float, lang: str) -> str:
    """A short plain summary for the student, with the report's name."""
    cat = load_catalogue(lang)
    report = result.report or f"{result.id}/report.html"
    if result.status == "error":
        return cat("export.feedback.error", reason=result.error or "", report=report)
    text = cat("export.feedback.summary", score=format_number(result.score), max=format_number(max_score),
               passed=result.count("passed"), failed=result.count("failed") + result.count("partial"))
    if result.count("review"):
        text += " " + cat("export.feedback.review", count=result.count("review"))
    if result.late and result.late.percent:
        text += " " + cat("export.feedback.late", percent=format_number(result.late.percent),
                          after=format_number(result.final_score))
    return text + " " + cat("export.feedback.report", report=report)


def write_moodle_worksheet(results: RunResults, path: Path, options: ExportOptions) -> ExportOutcome:
    """Fill the Moodle worksheet ``options.roster`` with ``results``' grades and comments."""
    roster = read_roster(options.roster, (), "Moodle grading worksheet")
    columns = find_columns(roster.header, Path(options.roster))
    matching = match_submissions(results.submissions, moodle_students(roster, columns), "moodle")
    comma = decimal_comma(roster, columns.get("maximum"))
    max_score = results.assignment.max_score

    def grade(result: SubmissionResult) -> str:
        text = format_number(result.final_score)
        return text.replace(".", ",") if comma else text

    rows = []
    for n, row in enumerate(roster.rows):
        row = dict(row)
        result = matching.by_row.get(n)
        if result is not None:
            row[columns["grade"]] = grade(result)
            if "modified_grade" in columns:
                row[columns["modified_grade"]] = moodle_date(options.now)
            if "feedback" in columns:
                row[columns["feedback"]] = feedback_comment(result, max_score, options.lang)
        rows.append([row.get(h, "") for h in roster.header])
    by_id = {s.id: s for s in results.submissions}
    for missing in matching.unmatched:  # Moodle skips a row without an identifier: listed, not lost
        row = {columns.get("name", ""): missing.name or missing.submission, columns["grade"]: grade(by_id[missing.submission])}
        if "feedback" in columns:
            row[columns["feedback"]] = load_catalogue(options.lang)("export.misc.unmatched_row", submission=missing.submission)
        rows.append([row.get(h, "") for h in roster.header])
    write_rows(path, list(roster.header), rows, delimiter=roster.delimiter, bom=roster.bom)
    warnings = () if "feedback" in columns else ("export.misc.moodle_no_feedback",)
    return ExportOutcome(written=len(matching.by_row), without_submission=len(roster.rows) - len(matching.by_row),
                         unmatched=matching.unmatched, warnings=warnings)
