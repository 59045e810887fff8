"""``output_shape``: the model's output shape, or every layer's, equals the reference."""

from __future__ import annotations

from typing import Any

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.structure import Selection, compare_layers, describe, normalize_layers, plain_shape, resolve_model
from grader.facts import NotebookFacts
from grader.spec import CheckSpec


def shape_text(shape: Any) -> str:
    """``(None, 10)``: a shape as Keras prints it."""
    if isinstance(shape, (list, tuple)):
        inner = ", ".join(shape_text(v) for v in shape)
        return f"({inner},)" if len(shape) == 1 else f"({inner})"
    return str(shape)


def check_last(selection: Selection, check: CheckSpec) -> Outcome:
    """Compare the model's output shape with the reference's."""
    got, want = plain_shape(selection.model.output_shape), plain_shape(selection.reference.output_shape)
    accepted = [plain_shape(ref.output_shape) for ref in selection.references]
    params = {"actual": shape_text(got), "expected": shape_text(want)}
    if got is not None and got in accepted:
        return passed("output_shape.passed", params=params, expected=want, actual=got)
    key = "output_shape.failed" if check.reveals_expected else "output_shape.failed_verdict"
    return failed(key, params=params, expected=want, actual=got)


def _row(pair) -> dict[str, Any]:
    want = plain_shape(pair.reference.output_shape) if pair.reference else None
    got = plain_shape(pair.student.output_shape) if pair.student else None
    status = pair.status if pair.status in ("missing", "extra") else "ok" if want == got else "differs"
    return {"layer": describe(pair.student or pair.reference), "class": (pair.student or pair.reference).class_name,
            "expected": want, "actual": got, "status": status}


def check_all(selection: Selection, check: CheckSpec) -> Outcome:
    """Compare per-layer output shapes along the layer alignment; credit per layer."""
    ignore = check.param("ignore", ())
    reference = normalize_layers(selection.reference.layers, ignore)
    student = normalize_layers(selection.model.layers, ignore)
    rows = [_row(pair) for pair in compare_layers(reference, student, check.param("equivalent", ())).pairs]
    equal = sum(1 for row in rows if row["status"] == "ok")
    fraction = equal / max(len(reference), len(student), 1)
    first = next((row for row in rows if row["status"] != "ok"), None)
    params = {"matched": equal, "total": len(reference)}
    if first is not None:
        absent = {"missing": "actual", "extra": "expected"}.get(first["status"])
        params.update(layer=first["layer"], expected=shape_text(first["expected"]), actual=shape_text(first["actual"]))
        if absent:
            params[absent] = "—"
    shown = {"expected": [row["expected"] for row in rows if row["expected"] is not None],
             "actual": [row["actual"] for row in rows if row["actual"] is not None]}
    if first is None:
        return passed("output_shape.all_passed", params=params, details={"layers": rows}, **shown)
    if check.reveals_expected:
        return partial(fraction, "output_shape.all_partial", params=params, details={"layers": rows}, **shown)
    if first["status"] == "missing":  # only the class of a layer the student left out
        params["layer"] = first["class"]
    key = "output_shape.all_partial_missing" if first["status"] == "missing" else "output_shape.all_partial_verdict"
    return partial(fraction, key, params=params, details={"layers": rows}, **shown)


@check_kind(
    "output_shape",
    required=("reference_model",),
    optional=("layers", "require_structure", "equivalent", "ignore", "own_model"),
    evaluation=False, reference_model_param="reference_model", reveals="verdict", kit=True, live=True,
)
def check_output_shape(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """``layers = "last"`` (default) compares the model output; ``"all"`` every layer's."""
    layers = check.param("layers", "last")
    if layers not in ("last", "all"):
        return Outcome("error", 0.0, "check_param.invalid", params={"name": "layers", "value": str(layers)})
    selection = resolve_model(student, reference, check)
    if isinstance(selection, Outcome):
        return selection
    if layers == "last":
        return check_last(selection, check)
    return check_all(selection, check)
