"""``model_params``: the student's model has the reference's parameter counts."""

from __future__ import annotations

from grader.checks.base import Outcome, check_kind, failed, passed
from grader.checks.structure import Selection, resolve_model, summarize
from grader.facts import ModelFacts, NotebookFacts
from grader.spec import CheckSpec

COUNTS = {"total": "total_params", "trainable": "trainable_params", "non_trainable": "non_trainable_params"}


def counts(model: ModelFacts, compare: tuple[str, ...]) -> dict[str, int | None]:
    """The compared counts of ``model``, by name (``total``, ``trainable``, ...)."""
    return {name: getattr(model, COUNTS[name]) for name in compare}


def _shown(values: dict[str, int | None]) -> int | dict | None:
    return values["total"] if list(values) == ["total"] else values


def _expected(selection: Selection, compare: tuple[str, ...]):
    shown = []
    for ref in selection.references:
        value = _shown(counts(ref, compare))
        if value not in shown:
            shown.append(value)
    return shown[0] if len(shown) == 1 else shown


@check_kind("model_params", required=("reference_model",),
            optional=("compare", "require_structure", "equivalent", "ignore", "own_model"),
            evaluation=False, reference_model_param="reference_model", reveals="verdict", kit=True, live=True)
def check_model_params(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Passed when the compared counts equal those of any accepted reference model."""
    compare = tuple(check.param("compare", ["total"]))
    unknown = [c for c in compare if c not in COUNTS]
    if unknown or not compare:
        return Outcome("error", 0.0, "check_param.invalid", params={"name": "compare", "value": ", ".join(unknown) or "[]"})
    selection = resolve_model(student, reference, check)
    if isinstance(selection, Outcome):
        return selection
    got = counts(selection.model, compare)
    shown = {"expected": _expected(selection, compare), "actual": _shown(got)}
    details = {"student": summarize(selection.model), "reference": summarize(selection.reference)}
    if any(counts(ref, compare) == got for ref in selection.references):
        return passed("model_params.passed", params={"total": selection.model.total_params}, details=details, **shown)
    want = counts(selection.reference, compare)
    if got.get("total") != want.get("total"):
        params = {"actual": selection.model.total_params, "expected": selection.reference.total_params}
        key = "model_params.failed" if check.reveals_expected else "model_params.failed_verdict"
        return failed(key, params=params, details=details, **shown)
    params = {
        "total": selection.model.total_params,
        "trainable": selection.model.trainable_params,
        "expected_trainable": selection.reference.trainable_params,
        "non_trainable": selection.model.non_trainable_params,
        "expected_non_trainable": selection.reference.non_trainable_params,
    }
    key = "model_params.failed_split" if check.reveals_expected else "model_params.failed_split_verdict"
    return failed(key, params=params, details=details, **shown)
