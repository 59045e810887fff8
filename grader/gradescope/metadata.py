"""``/autograder/submission_metadata.json``: who submitted, when, the due dates and earlier attempts.

Format: https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/
(``created_at``, ``assignment.due_date`` / ``late_due_date``, ``users[]``,
``previous_submissions[]`` with ``submission_time`` and ``score``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

METADATA_NAME = "submission_metadata.json"


@dataclass(frozen=True)
class Submitter:
    name: str = ""
    email: str = ""
    id: str = ""


@dataclass(frozen=True)
class SubmissionMetadata:
    """What Gradescope says about the submission being graded; every field may be missing."""

    submitted_at: dt.datetime | None = None
    due_date: dt.datetime | None = None
    late_due_date: dt.datetime | None = None
    users: tuple[Submitter, ...] = ()
    previous_scores: tuple[float, ...] = ()  # of the earlier submissions, oldest first
    submission_id: str = ""

    @property
    def attempt(self) -> int:
        """1 for a first submission, 2 for the next, ..."""
        return len(self.previous_scores) + 1


def _time(value) -> dt.datetime | None:
    """An ISO 8601 time with its offset; ``None`` when absent or unreadable (it only feeds the late policy)."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None


def _score(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def parse_metadata(data: dict) -> SubmissionMetadata:
    """The fields the grader uses, from the decoded JSON."""
    assignment = data.get("assignment") or {}
    users = tuple(Submitter(str(u.get("name") or ""), str(u.get("email") or ""), str(u.get("id") or ""))
                  for u in data.get("users") or () if isinstance(u, dict))
    previous = sorted((p for p in data.get("previous_submissions") or () if isinstance(p, dict)),
                      key=lambda p: str(p.get("submission_time") or ""))
    return SubmissionMetadata(_time(data.get("created_at")), _time(assignment.get("due_date")),
                              _time(assignment.get("late_due_date")), users,
                              tuple(_score(p.get("score")) for p in previous), str(data.get("id") or ""))


def read_metadata(path: Path) -> SubmissionMetadata | None:
    """The metadata at ``path``, or ``None`` when the file is absent (a local test run)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(text)
    return parse_metadata(data if isinstance(data, dict) else {})
