"""``model_structure``: the layer sequence matches the reference, or contains given layers."""

from __future__ import annotations

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.structure import (Equivalence, as_names, describe, layers_found, model_with_layers, normalize_layers,
                                     resolve_model, section_candidates, section_title, shared_choice, summarize,
                                     tampering_outcome, unloaded)
from grader.facts import NotebookFacts
from grader.spec import CheckSpec

MODES = ("sequence", "contains")


def check_sequence(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Score the aligned layers: 1 per equal layer, 0.5 per layer whose attributes differ."""
    if check.param("reference_model") is None:
        return Outcome("error", 0.0, "check_param.missing", params={"name": "reference_model"})
    selection = resolve_model(student, reference, check)
    if isinstance(selection, Outcome):
        return selection
    comparison, ignore, keep = selection.comparison, check.param("ignore", ()), check.param("keep", ())
    details = {
        "diff": comparison.rows(),
        "student": summarize(selection.model),
        "reference": summarize(selection.reference),
    }
    shown = {
        "expected": [describe(layer) for layer in normalize_layers(selection.reference.layers, ignore, keep)],
        "actual": [describe(layer) for layer in normalize_layers(selection.model.layers, ignore, keep)],
    }
    params = {"matched": comparison.matched, "total": comparison.reference_layers, "fraction": comparison.fraction,
              "differing": comparison.differing}
    if comparison.fraction >= 1.0:
        return passed("model_structure.passed", params=params, details=details, **shown)
    if comparison.fraction <= 0.0:
        return failed("model_structure.no_match", params=params, details=details, **shown)
    return partial(comparison.fraction, "model_structure.partial", params=params, details=details, **shown)


def check_contains(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Score the section's model holding the most of the listed layer classes (or the model the
    section's choice picks, when another check makes it)."""
    wanted = as_names(check.param("layers"))
    if not wanted or isinstance(check.param("layers"), str):
        return Outcome("error", 0.0, "check_param.invalid", params={"name": "layers", "value": str(check.param("layers"))})
    tampered = tampering_outcome(student, check.section)
    if tampered is not None:
        return tampered
    models = section_candidates(student, reference, check)[0] if shared_choice(check) else student.models_of(check.section)
    if not models:
        return failed("model.none_found", params={"section": section_title(reference, check.section)})
    best = model_with_layers(models, wanted, check.param("equivalent", ()))
    found = layers_found(best, wanted, Equivalence(check.param("equivalent", ())))
    if not found and not best.loaded:
        return unloaded(best)
    missing = [name for name in wanted if name not in found]
    params = {"found": len(found), "total": len(wanted), "missing": ", ".join(missing)}
    shown = {"expected": list(wanted), "actual": found}
    details = {"student": summarize(best), "found": found, "missing": missing}
    if not missing:
        return passed("model_structure.contains_passed", params=params, details=details, **shown)
    return partial(len(found) / len(wanted), "model_structure.contains_missing", params=params, details=details, **shown)


def _mode(params) -> str:
    return params.get("mode", "sequence")


@check_kind(
    "model_structure",
    optional=("mode", "reference_model", "equivalent", "ignore", "keep", "layers", "require_structure", "own_model"),
    evaluation=False, reference_model_param="reference_model", kit=True, live=True,
    # a reference model's layer sequence is the answer; the layers a ``contains`` check requires are in the spec
    reveals=lambda params: "verdict" if _mode(params) == "sequence" else "expected",
    states_expected=lambda params: _mode(params) == "contains",
)
def check_model_structure(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Dispatch on ``mode``: ``sequence`` (default) or ``contains``."""
    mode = _mode(check.params)
    if mode == "sequence":
        return check_sequence(student, reference, check)
    if mode == "contains":
        return check_contains(student, reference, check)
    return Outcome("error", 0.0, "check_param.invalid", params={"name": "mode", "value": str(mode)})
