"""``accuracy``: the model, evaluated by the grader on held-out data, reaches a threshold."""

from __future__ import annotations

from typing import Sequence

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.structure import Equivalence, as_names, candidate_models, resolve_model, section_title, unloaded
from grader.facts import ModelFacts, NotebookFacts
from grader.spec import CheckSpec

DEFAULT_DATASET = "fashion_mnist_test"


def _accuracy_key(model: ModelFacts, dataset: str) -> tuple:
    evaluation = model.evaluation(dataset)
    return (evaluation is not None, evaluation.accuracy if evaluation else 0.0, model.loaded, model.order)


def _contains_all(model: ModelFacts, classes: tuple[str, ...], eq: Equivalence) -> bool:
    present = {eq.canon(layer.class_name) for layer in model.layers}
    return all(eq.canon(name) in present for name in classes)


def pick_model(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec, dataset: str) -> ModelFacts | Outcome:
    """The model to evaluate: by reference structure, by contained layers, or the best evaluated."""
    if check.param("reference_model") is not None:
        selection = resolve_model(student, reference, check)
        return selection if isinstance(selection, Outcome) else selection.model
    models: Sequence[ModelFacts] = candidate_models(student, check.section)[0]
    if not models:
        return failed("model.none_found", params={"section": section_title(reference, check.section)})
    classes = as_names(check.param("contains"))
    if classes:
        eq = Equivalence(check.param("equivalent", ()))
        models = [m for m in models if _contains_all(m, classes, eq)]
        if not models:
            return failed("accuracy.no_matching_model", params={"layers": ", ".join(classes)})
    model = max(models, key=lambda m: _accuracy_key(m, dataset))
    if not model.loaded:
        return unloaded(model)
    return model


def score_accuracy(accuracy: float, threshold: float, bands) -> tuple[float, float | None]:
    """Fraction earned and the band reached (None at full credit or below every band)."""
    if accuracy >= threshold:
        return 1.0, None
    reached = [(float(low), float(fraction)) for low, fraction in bands or () if accuracy >= float(low)]
    if not reached:
        return 0.0, None
    low, fraction = max(reached)
    return fraction, low


@check_kind(
    "accuracy",
    required=("threshold",),
    optional=("dataset", "bands", "reference_model", "require_structure", "equivalent", "ignore", "contains"),
)
def check_accuracy(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Full credit at ``threshold``, the highest ``bands`` fraction reached below it."""
    dataset = check.param("dataset", DEFAULT_DATASET)
    threshold = float(check.param("threshold"))
    model = pick_model(student, reference, check, dataset)
    if isinstance(model, Outcome):
        return model
    evaluation = model.evaluation(dataset)
    if evaluation is None:
        key = "accuracy.not_evaluated" if model.has_weights else "accuracy.untrained"
        return Outcome("error" if model.has_weights else "failed", 0.0, key,  # weights, no evaluation: a grader error
                       params={"dataset": dataset, "threshold": threshold}, expected=threshold)
    fraction, band = score_accuracy(evaluation.accuracy, threshold, check.param("bands", ()))
    params = {"accuracy": evaluation.accuracy, "threshold": threshold, "dataset": dataset, "band": band}
    shown = {"expected": threshold, "actual": evaluation.accuracy}
    details = {"dataset": dataset, "samples": evaluation.samples, "scale": evaluation.scale, "model": list(model.names)}
    if fraction >= 1.0:
        return passed("accuracy.passed", params=params, details=details, **shown)
    if fraction <= 0.0:
        return failed("accuracy.failed", params=params, details=details, **shown)
    return partial(fraction, "accuracy.partial", params=params, details=details, **shown)
