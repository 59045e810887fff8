"""``function``: a student function returns what the reference function returns.

Both were called inside their own kernels, after all cells had run, on the same inputs
(visible ones, then hidden ones). Hidden inputs and their results never appear in the
outcome's message, expected, actual or details: only how many of them passed.
"""

from __future__ import annotations

from typing import Any

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.value import first_difference, shown
from grader.facts import NotebookFacts
from grader.spec import CheckSpec


def _results(facts: NotebookFacts, check_id: str) -> dict[str, Any] | None:
    return facts.calls.get(check_id)


def _matches(got: dict, want: dict, rel_tol: float, abs_tol: float) -> bool:
    if "value" not in got or "value" not in want:
        return False
    return first_difference(got["value"], want["value"], rel_tol, abs_tol) is None


def _visible_rows(inputs: list, got: list, want: list, rel_tol: float, abs_tol: float) -> list[dict]:
    rows = []
    for args, g, w in zip(inputs, got, want):
        rows.append({"input": shown(args), "expected": shown(w.get("value")),
                     "actual": shown(g["value"]) if "value" in g else g.get("error", "?"),
                     "status": "match" if _matches(g, w, rel_tol, abs_tol) else "mismatch"})
    return rows


@check_kind(
    "function",
    required=("function", "inputs"),
    optional=("hidden_inputs", "arrays", "rel_tol", "abs_tol", "timeout"),
    models=False, evaluation=False, kit=True, live=True,
)
def check_function(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Fraction of inputs (visible and hidden) on which the student's result equals the reference's."""
    name = check.param("function")
    visible = list(check.param("inputs", []))
    hidden = list(check.param("hidden_inputs", []))
    want = _results(reference, check.id)
    if not want or not want.get("defined") or len(want.get("results", [])) != len(visible) + len(hidden):
        return Outcome("error", 0.0, "function.reference_missing", params={"function": name})
    got = _results(student, check.id) or {"defined": None, "error": "the function was not called"}
    if got.get("defined") is False:
        return failed("function.missing", params={"function": name})
    if "results" not in got:
        return failed("function.not_called", params={"function": name, "reason": got.get("error", "?")})
    rel_tol, abs_tol = float(check.param("rel_tol", 1e-6)), float(check.param("abs_tol", 1e-9))
    ok = [_matches(g, w, rel_tol, abs_tol) for g, w in zip(got["results"], want["results"])]
    shown_ok, hidden_ok = sum(ok[: len(visible)]), sum(ok[len(visible):])
    params = {"function": name, "ok": shown_ok + hidden_ok, "total": len(ok), "visible_ok": shown_ok,
              "visible": len(visible), "hidden_ok": hidden_ok, "hidden": len(hidden)}
    rows = _visible_rows(visible, got["results"], want["results"], rel_tol, abs_tol)
    outcome = dict(params=params, details={"calls": rows, "hidden_passed": hidden_ok, "hidden_total": len(hidden)},
                   expected=[r["expected"] for r in rows], actual=[r["actual"] for r in rows])
    if all(ok):
        return passed("function.passed", **outcome)
    # an error message from a hidden input could reveal that input: only visible ones are quoted
    error = next((g["error"] for g in got["results"][: len(visible)] if "error" in g), None)
    if error and not any(ok):
        outcome["params"]["error"] = error
        return partial(0.0, "function.raised", **outcome)
    return partial(sum(ok) / len(ok), "function.partial", **outcome)
