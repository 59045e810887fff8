"""The late policy's line in a report: how late, how much it cost, the score before it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.late import LatePenalty
from grader.report.common import Formatter


@dataclass(frozen=True)
class LateNote:
    """What the report's header says about lateness; ``kind`` is the note's CSS class."""

    kind: str  # warn: deducted | info: on time or within the grace period
    text: str


def moment(value: datetime) -> str:
    """A date and time as the instructor wrote the due date: its own offset, to the minute."""
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}" if offset else f"{value:%Y-%m-%d %H:%M}"


def duration(late: timedelta, fmt: Formatter) -> str:
    """``2 d 3 h``, ``4 h 10 min`` or ``25 min`` (minutes rounded up: 10 s late is 1 min late)."""
    minutes = max(math.ceil(late.total_seconds() / 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return fmt.cat("report.late.days_hours", days=days, hours=hours)
    if hours:
        return fmt.cat("report.late.hours_minutes", hours=hours, minutes=minutes)
    return fmt.cat("report.late.minutes", minutes=minutes)


def late_note(late: LatePenalty | None, max_score: float, fmt: Formatter) -> LateNote | None:
    """The note for ``late`` (None: no policy, or no known submission time)."""
    if late is None:
        return None
    submitted = moment(late.submitted.astimezone(late.due.tzinfo))
    if not late.late:
        return LateNote("info", fmt.cat("report.late.on_time", submitted=submitted, due=moment(late.due)))
    if not late.percent:
        return LateNote("info", fmt.cat("report.late.forgiven", late=duration(late.late, fmt), due=moment(late.due)))
    unit = fmt.cat(f"report.late.unit_{late.per}")
    return LateNote("warn", fmt.cat("report.late.deducted", late=duration(late.late, fmt), due=moment(late.due),
                                    units=late.units, unit=unit, percent=fmt.score(late.percent),
                                    before=fmt.score(late.score_before), max=fmt.score(max_score),
                                    after=fmt.score(late.score)))
