"""``decreasing``: a sequence the section left behind (a loss per epoch) went down.

Passes when the variable is a list of at least ``min_length`` finite numbers whose last
value is at most ``max_ratio`` times its first: training made the loss fall, not merely
wobble.
"""

from __future__ import annotations

import math
from typing import Any

from grader.checks.base import Outcome, check_kind, failed, passed
from grader.checks.structure import as_names
from grader.checks.value import lookup_variable
from grader.facts import NotebookFacts
from grader.spec import CheckSpec


def _numbers(value: Any) -> list[float] | None:
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        return None
    return [float(v) for v in value]


@check_kind("decreasing", required=("variable",), optional=("max_ratio", "min_length"), models=False,
            evaluation=False, variable_params=("variable",), states_expected=True, kit=True, live=True)
def check_decreasing(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Passed when the sequence is long enough and ends at most ``max_ratio`` × its start."""
    names = as_names(check.param("variable"))
    ratio = float(check.param("max_ratio", 0.5))
    min_length = int(check.param("min_length", 2))
    found = lookup_variable(student, check.section, names)
    values = _numbers(found[1]) if found else None
    if values is None or len(values) < min_length:
        return failed("decreasing.missing", params={"variable": " / ".join(names), "min_length": min_length})
    params = {"variable": found[0], "first": values[0], "last": values[-1], "count": len(values),
              "ratio": ratio, "limit": ratio * values[0]}
    shown = {"expected": f"≤ {ratio * values[0]:.6g}", "actual": values[-1]}
    if values[0] > 0 and values[-1] <= ratio * values[0]:
        return passed("decreasing.passed", params=params, **shown)
    return failed("decreasing.failed", params=params, **shown)
