"""The late policy: how much a submission handed in after its due date loses.

Pure arithmetic, applied after scoring (and after a teacher's decisions): the checks keep
their scores, and the penalty says what the grade becomes. Lateness is counted from the due
date; the grace period only forgives (a submission 10 minutes late with 15 minutes of grace
is on time, one 25 hours late with 15 minutes of grace is 2 days late). Every started day
or hour counts whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from grader.serial import JsonData

UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}
BASES = ("score", "max_score")  # what the percent is taken of


@dataclass(frozen=True)
class LatePolicy(JsonData):
    """The spec's ``[late]`` table (or an LMS's due date with the spec's rates).

    ``percent`` is deducted per started ``per`` (``day`` or ``hour``) after ``due``, once the
    lateness exceeds ``grace``; never more than ``cap`` percent in all. ``of = "score"``
    takes the percent of the points the submission earned; ``"max_score"`` of the points
    possible (Canvas's way), never below zero.
    """

    due: datetime  # aware
    percent: float
    per: str = "day"
    grace: timedelta = timedelta(0)
    cap: float = 100.0
    of: str = "score"

    def __post_init__(self) -> None:
        if self.due.tzinfo is None or self.due.utcoffset() is None:
            raise ValueError("the due date must carry its time zone")
        if self.per not in UNITS:
            raise ValueError(f"'per' must be one of {', '.join(UNITS)}, got {self.per!r}")
        if self.of not in BASES:
            raise ValueError(f"'of' must be one of {', '.join(BASES)}, got {self.of!r}")
        if not 0 <= self.percent <= 100 or not 0 <= self.cap <= 100:
            raise ValueError("'percent' and 'cap' must be between 0 and 100")
        if self.grace < timedelta(0):
            raise ValueError("'grace' must not be negative")


@dataclass(frozen=True)
class LatePenalty(JsonData):
    """What the policy did to one submission: how late it was, the percent taken, the grade after.

    ``late`` is how late it was (zero when on time); ``within_grace`` says it was late but
    forgiven; ``units`` counts the started days or hours charged; ``score`` is the grade after
    the deduction (rounded to hundredths when there was one), ``score_before`` the checks' score.
    """

    submitted: datetime
    due: datetime
    late: timedelta
    units: int
    per: str
    percent: float
    score_before: float
    score: float
    within_grace: bool = False

    @property
    def deducted(self) -> float:
        return round_points(self.score_before - self.score)


def round_points(value: float, places: int = 2) -> float:
    """Points rounded half up to ``places`` decimals (0.125 -> 0.13, not banker's 0.12)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def late_penalty(submitted: datetime, policy: LatePolicy, score: float, max_score: float) -> LatePenalty:
    """The penalty ``policy`` gives a submission handed in at ``submitted`` (aware) that scored ``score``."""
    if submitted.tzinfo is None or submitted.utcoffset() is None:
        raise ValueError("the submission time must carry its time zone")
    late = max(submitted - policy.due, timedelta(0))
    within_grace = timedelta(0) < late <= policy.grace
    units = 0 if late <= policy.grace else math.ceil(late / UNITS[policy.per])
    percent = round(min(units * policy.percent, policy.cap), 4)
    base = score if policy.of == "score" else max_score
    after = round_points(max(score - base * percent / 100, 0.0)) if percent else score
    return LatePenalty(submitted, policy.due, late, units, policy.per, percent, score, after, within_grace)
