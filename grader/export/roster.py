"""Match a run's submissions with the students of an LMS roster (Canvas gradebook, Moodle worksheet).

A submission is matched by the LMS's own id when it came from that LMS's bulk download (the
Canvas user id, the Moodle participant number in its file names); otherwise its id (and the
e-mail the download named, if any) is compared, case-insensitively, with every identifier of
each student: the LMS id, SIS user id, SIS login, ID number, e-mail, and the e-mail's part
before the ``@`` when no other student shares it. A submission that matches no student, more
than one, or a student another submission already took is *unmatched*: listed, never dropped.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.results import SubmissionResult

UNMATCHED_REASONS = ("no_student", "ambiguous", "duplicate")


@dataclass(frozen=True)
class RosterStudent:
    """One student of a roster: the row it came from and the identifiers it is matched by."""

    row: int  # index among the roster's student rows
    lms_id: str  # Canvas ID, Moodle participant number
    identifiers: frozenset[str]  # casefolded: lms id, SIS ids, logins, e-mails
    name: str = ""


@dataclass(frozen=True)
class Unmatched:
    submission: str
    reason: str  # no_student | ambiguous | duplicate
    name: str = ""  # the student's name the LMS download gave, if any


@dataclass(frozen=True)
class Matching:
    by_row: dict[int, SubmissionResult]
    unmatched: tuple[Unmatched, ...]


@dataclass(frozen=True)
class RosterFile:
    """A roster CSV as read: its header, its rows as dicts, its dialect, whether it had a BOM."""

    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    delimiter: str = ","
    bom: bool = False


def read_roster(path: Path, required: tuple[str, ...], what: str) -> RosterFile:
    """Read a roster CSV (UTF-8, with or without BOM; comma, semicolon or tab); ``required`` columns must exist."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the roster '{path}': {exc.strerror or exc}", "usage.roster_unreadable",
                         file=str(path), reason=exc.strerror or str(exc)) from None
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"the roster '{path}' is not UTF-8", "usage.roster_unreadable", file=str(path),
                         reason="not UTF-8") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = tuple(h.strip() for h in reader.fieldnames or ())
    reader.fieldnames = list(header)
    missing = [c for c in required if c not in header]
    if missing:
        raise UsageError(f"'{path}' is not a {what}: no column {', '.join(missing)}", "usage.roster_columns",
                         file=str(path), what=what, columns=", ".join(missing))
    rows = tuple({k: (v or "") for k, v in row.items() if k is not None} for row in reader)
    return RosterFile(header, rows, delimiter, bom)


def email_local_parts(emails: list[str]) -> dict[str, str]:
    """E-mail -> the part before ``@``, for the parts no other e-mail of the roster shares."""
    parts = Counter(e.split("@", 1)[0].casefold() for e in emails if "@" in e)
    return {e: e.split("@", 1)[0].casefold() for e in emails if "@" in e and parts[e.split("@", 1)[0].casefold()] == 1}


def submission_keys(result: SubmissionResult, lms: str) -> tuple[bool, tuple[str, ...]]:
    """``(by_lms_id, keys)``: the LMS id when the submission came from ``lms``'s download, else its id and e-mail."""
    source = result.source
    if source is not None and source.lms == lms and source.key:
        return True, (source.key.casefold(),)
    keys = [result.id.casefold()]
    if source is not None and source.email:
        keys.append(source.email.casefold())
    return False, tuple(keys)


def match_submissions(results: tuple[SubmissionResult, ...], students: list[RosterStudent],
                      lms: str) -> Matching:
    """Each student row with its submission; the submissions no single free student answers to."""
    by_row: dict[int, SubmissionResult] = {}
    unmatched: list[Unmatched] = []
    for result in sorted(results, key=lambda r: r.id):
        by_lms, keys = submission_keys(result, lms)
        found: list[RosterStudent] = []
        for key in keys:
            found = [s for s in students if (s.lms_id.casefold() == key if by_lms else key in s.identifiers)]
            if found:
                break
        name = result.source.name if result.source is not None else ""
        if len(found) != 1:
            unmatched.append(Unmatched(result.id, "ambiguous" if found else "no_student", name))
        elif found[0].row in by_row:
            unmatched.append(Unmatched(result.id, "duplicate", name))
        else:
            by_row[found[0].row] = result
    return Matching(by_row, tuple(unmatched))


def write_rows(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",",
               bom: bool = False) -> None:
    """Write a CSV the way LMS imports read it: UTF-8 (with a BOM when the roster had one), CRLF-free quoting."""
    with Path(path).open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
