"""What an export is given besides the results, and what it says back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.export.roster import Unmatched


@dataclass(frozen=True)
class ExportOptions:
    """``roster``: the LMS's own file the export starts from (Canvas gradebook, Moodle worksheet);
    ``column``: the gradebook column to fill (default: found in the roster, else the assignment's title);
    ``lang``: language of the comments written for students; ``now``: the export's time, in this
    machine's zone (Moodle reads a worksheet's dates in its own zone, usually the instructor's)."""

    roster: Path | None = None
    column: str | None = None
    lang: str = "pt"
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())


@dataclass(frozen=True)
class ExportOutcome:
    """How many roster students got a grade, which had none, and the submissions no student matched."""

    written: int = 0
    without_submission: int = 0
    unmatched: tuple[Unmatched, ...] = ()
    warnings: tuple[str | tuple[str, dict], ...] = ()  # catalogue keys, or (key, params)
