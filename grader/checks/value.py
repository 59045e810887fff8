"""``value``: a variable the section left behind equals the expected value."""

from __future__ import annotations

import json
import math
from typing import Any

from grader.checks.base import Outcome, check_kind, failed, passed
from grader.checks.structure import as_names
from grader.checks.text import normalize, parse_number
from grader.facts import NotebookFacts
from grader.sealed import Sealed, SealedNumber, is_sealed
from grader.spec import CheckSpec

MAX_SHOWN = 80


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shape(value: Any) -> list[int]:
    if not isinstance(value, list):
        return []
    return [len(value)] + (_shape(value[0]) if value else [])


def shown(value: Any) -> Any:
    """A value as a message shows it: numbers as they are, the rest as short JSON."""
    if is_sealed(value):
        return str(value)
    if _is_number(value):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)  # sealed: •••
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _scalar_equal(got: Any, want: Any, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(want, (Sealed, SealedNumber)):  # a student kit's expected value, known by its digests
        return _sealed_equal(got, want, rel_tol, abs_tol)
    if _is_number(want) and isinstance(got, str):
        got = parse_number(got)
    if _is_number(got) and _is_number(want):
        return math.isclose(got, want, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(got, str) and isinstance(want, str):
        return normalize(got) == normalize(want)
    return type(got) is type(want) and got == want


def _sealed_equal(got: Any, want: Sealed | SealedNumber, rel_tol: float, abs_tol: float) -> bool:
    """:func:`_scalar_equal` against a sealed value: numbers within tolerance, strings normalized."""
    if isinstance(got, str) and (isinstance(want, SealedNumber) or want.integer):
        got = parse_number(got)
    if _is_number(got) and (isinstance(want, SealedNumber) or want.integer):
        return want.close(got, rel_tol, abs_tol)
    return want == (normalize(got) if isinstance(got, str) else got)


def first_difference(got: Any, want: Any, rel_tol: float, abs_tol: float, path: str = "") -> tuple[str, Any, Any] | None:
    """Where ``got`` and ``want`` first differ, as ``(path, got, want)``, or None when equal."""
    if isinstance(want, list) or isinstance(got, list):
        if not (isinstance(want, list) and isinstance(got, list)) or len(got) != len(want):
            return (path, got, want)
        for n, (g, w) in enumerate(zip(got, want)):
            found = first_difference(g, w, rel_tol, abs_tol, f"{path}[{n}]")
            if found:
                return found
        return None
    if isinstance(want, dict) or isinstance(got, dict):
        if not (isinstance(want, dict) and isinstance(got, dict)) or set(got) != set(want):
            return (path, got, want)
        for key in want:
            found = first_difference(got[key], want[key], rel_tol, abs_tol, f"{path}[{key!r}]")
            if found:
                return found
        return None
    return None if _scalar_equal(got, want, rel_tol, abs_tol) else (path, got, want)


def lookup_variable(facts: NotebookFacts, section_id: str, names: tuple[str, ...]) -> tuple[str, Any] | None:
    section = facts.section(section_id)
    others = [s for s in facts.sections if s.id != section_id]
    for values in ([section.values] if section else []) + [s.values for s in others]:
        for name in names:
            if name in values:
                return name, values[name]
    return None


def _expected(reference: NotebookFacts, check: CheckSpec) -> Any:
    """The literal ``expected``, or the reference's ``reference_variable``; an Outcome if neither."""
    if "expected" in check.params:
        return check.params["expected"]
    names = as_names(check.param("reference_variable"))
    if not names:
        return Outcome("error", 0.0, "check_param.missing", params={"name": "expected"})
    found = lookup_variable(reference, check.section, names)
    if found is None:
        return Outcome("error", 0.0, "value.reference_missing", params={"variable": " / ".join(names)})
    return found[1]


@check_kind(
    "value",
    required=("variable",),
    optional=("expected", "reference_variable", "rel_tol", "abs_tol"),
    models=False, evaluation=False, variable_params=("variable", "reference_variable"), reveals="verdict", kit=True,
    live=True,
)
def check_value(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Numbers within tolerance, arrays element-wise with equal shape, strings loosely."""
    want = _expected(reference, check)
    if isinstance(want, Outcome):
        return want
    names = as_names(check.param("variable"))
    section = student.section(check.section)
    values = section.values if section else {}
    name = next((n for n in names if n in values), None)
    if name is None:
        return failed("value.missing", params={"variable": " / ".join(names)}, expected=want)
    got = values[name]
    rel_tol, abs_tol = float(check.param("rel_tol", 1e-6)), float(check.param("abs_tol", 1e-9))
    difference = first_difference(got, want, rel_tol, abs_tol)
    if difference is None:
        return passed("value.passed", params={"variable": name, "value": shown(got)}, expected=want, actual=got)
    path, part_got, part_want = difference
    reveal = check.reveals_expected  # without it, the message leaves the expected value out
    if isinstance(want, list) and isinstance(got, list) and _shape(got) != _shape(want):
        params = {"variable": name, "expected": shown(_shape(want)), "actual": shown(_shape(got))}
        key = "value.shape_mismatch" if reveal else "value.shape_mismatch_verdict"
        return failed(key, params=params, expected=want, actual=got)
    params = {"variable": name, "where": path, "expected": shown(part_want), "actual": shown(part_got)}
    if path:
        key = "value.element_mismatch" if reveal else "value.element_mismatch_verdict"
    else:
        key = "value.different" if reveal else "value.different_verdict"
    return failed(key, params=params, expected=want, actual=got, details={"where": path})
