"""The score history table of the instructor's view: one row per graded version of a submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

from grader.history import GradeVersion

SHA_SHOWN = 12  # hex digits of a notebook's sha256 in the table (the whole hash in its title)


@dataclass(frozen=True)
class VersionRow:
    """A version as the table shows it; ``change`` says what differs from the version before."""

    number: int
    version: GradeVersion
    notebook: str
    graded: str  # "2026-12-01 11:43 UTC"
    change: str  # first | notebook | rubric | both
    current: bool
    late: bool  # the late penalty took something: the score before it is shown too


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _change(version: GradeVersion, before: GradeVersion | None) -> str:
    if before is None:
        return "first"
    notebook, rubric = version.sha256 != before.sha256, version.rubric != before.rubric
    return "both" if notebook and rubric else ("notebook" if notebook else "rubric")


def version_rows(versions: Sequence[GradeVersion], sha256: str, rubric: str) -> tuple[VersionRow, ...]:
    """Rows oldest first; the version of this report (``sha256`` under ``rubric``) is ``current``."""
    rows = []
    for n, version in enumerate(versions):
        rows.append(VersionRow(
            number=n + 1, version=version, notebook=version.sha256[:SHA_SHOWN], graded=_utc(version.graded),
            change=_change(version, versions[n - 1] if n else None),
            current=(version.sha256, version.rubric) == (sha256, rubric),
            late=abs(version.final_score - version.score) > 1e-9,
        ))
    return tuple(rows)
