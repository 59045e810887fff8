"""``accuracy``: the model, evaluated by the grader on held-out data, reaches a threshold.

The model is the one the section's other model checks judge (``ModelChoice``). An accuracy
the model cannot plausibly have earned goes to ``review`` with its points held for a
teacher: one above what the architecture reaches on the dataset (``ceiling``), or one that
falls on the grader's transformed copy of the test images far more than the reference
model's does (``max_drop``), as a model holding the test images in its weights does.
"""

from __future__ import annotations

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.structure import (Equivalence, as_names, layers_found, model_with_layers, resolve_model,
                                     section_candidates, section_title, shared_choice, tampering_outcome, tie_break,
                                     unloaded)
from grader.facts import EvaluationFacts, ModelFacts, NotebookFacts
from grader.spec import CheckSpec

DEFAULT_DATASET = "fashion_mnist_test"

# Plausibility, calibrated on the course's models (README "Accuracy on a copy the kernel never
# saw"; numbers from the grader's own evaluation, 2,000 transformed test images):
# - ceiling, by the dataset's number of classes: the assignments' models reach 0.74-0.88 on
#   Fashion-MNIST's ten classes (small CNNs trained longer reach 0.91-0.93, as published)
#   and 0.995 on the two groups; models holding the test images score 1.0;
# - drop on the transformed copy (same images untouched minus moved): LeNet-5 variants
#   0.02-0.05, MLPs 0.08-0.10, two-group MLP 0.005; models holding the test images
#   0.13-0.21. A model may lose at most the reference model's drop plus DROP_MARGIN
#   (about five standard errors of a drop measured on 2,000 images), DEFAULT_MAX_DROP
#   when no reference model was measured;
# - and its errors must at least multiply by ERROR_RATIO on the copy: an honest MLP of the
#   mlp-multiclasse-binaria examples went from 0.863 to 0.742 (a drop of 0.121, past the
#   default limit: its errors ×1.9), while a model holding the test images makes almost no
#   error on them and many on the copy (×30 and more).
CEILINGS = {10: 0.95, 2: 0.999}
DROP_MARGIN = 0.05
DEFAULT_MAX_DROP = 0.12
ERROR_RATIO = 2.5
MIN_ERROR = 0.005  # the error rate a ratio is taken against when the model makes almost none


def _contains_all(model: ModelFacts, classes: tuple[str, ...], eq: Equivalence) -> bool:
    return len(layers_found(model, classes, eq)) == len(classes)


def _loaded(model: ModelFacts | None, reference: NotebookFacts, check: CheckSpec) -> ModelFacts | Outcome:
    if model is None:
        return failed("model.none_found", params={"section": section_title(reference, check.section)})
    if not model.loaded:
        return unloaded(model)
    return model


def pick_model(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec, dataset: str) -> ModelFacts | Outcome:
    """The model to evaluate: the section's chosen model (which must hold ``contains``), else by
    reference structure, by contained layers, or the best of the section (:func:`tie_break`)."""
    tampered = tampering_outcome(student, check.section)
    if tampered is not None:
        return tampered
    classes, eq = as_names(check.param("contains")), Equivalence(check.param("equivalent", ()))
    if shared_choice(check) is None and check.param("reference_model") is not None:
        selection = resolve_model(student, reference, check)
        return selection if isinstance(selection, Outcome) else selection.model
    models = section_candidates(student, reference, check)[0]
    if not models:
        return failed("model.none_found", params={"section": section_title(reference, check.section)})
    if shared_choice(check) is not None:
        model = models[0]
        if classes and not _contains_all(model, classes, eq):
            return failed("accuracy.no_matching_model", params={"layers": ", ".join(classes)})
        return _loaded(model, reference, check)
    if classes:
        model = model_with_layers(models, classes, check.param("equivalent", ()))
        if not _contains_all(model, classes, eq):
            return failed("accuracy.no_matching_model", params={"layers": ", ".join(classes)})
        return _loaded(model, reference, check)
    return _loaded(max(models, key=tie_break), reference, check)


def score_accuracy(accuracy: float, threshold: float, bands) -> tuple[float, float | None]:
    """Fraction earned and the band reached (None at full credit or below every band)."""
    if accuracy >= threshold:
        return 1.0, None
    reached = [(float(low), float(fraction)) for low, fraction in bands or () if accuracy >= float(low)]
    if not reached:
        return 0.0, None
    low, fraction = max(reached)
    return fraction, low


def reference_drop(reference: NotebookFacts, check: CheckSpec, dataset: str) -> float | None:
    """The drop on the transformed copy of the reference's model for this check, if measured."""
    model = pick_model(reference, reference, check, dataset)
    evaluation = model.evaluation(dataset) if isinstance(model, ModelFacts) else None
    return evaluation.transformed_drop if evaluation is not None else None


def _errors_multiply(evaluation: EvaluationFacts) -> bool:
    """True when the model's error rate on the copy is ERROR_RATIO times the one on the same images untouched."""
    if evaluation.transformed_accuracy is None or evaluation.transformed_clean_accuracy is None:
        return False
    untouched = max(1.0 - evaluation.transformed_clean_accuracy, MIN_ERROR)
    return 1.0 - evaluation.transformed_accuracy >= ERROR_RATIO * untouched


def implausible(evaluation: EvaluationFacts, check: CheckSpec, drop_of_reference: float | None) -> dict | None:
    """Why ``evaluation`` is not a plausible accuracy (the message key and its numbers), or None."""
    ceiling = check.param("ceiling", CEILINGS.get(len(evaluation.confusion or ())))
    numbers = {"accuracy": evaluation.accuracy, "transformed": evaluation.transformed_accuracy,
               "untouched": evaluation.transformed_clean_accuracy, "samples": evaluation.transformed_samples,
               "drop": evaluation.transformed_drop, "ceiling": ceiling}
    if ceiling is not None and evaluation.accuracy > float(ceiling):
        key = "accuracy.implausible_ceiling" if evaluation.transformed_accuracy is not None else \
            "accuracy.implausible_ceiling_only"
        return {"key": key, **numbers}
    limit = check.param("max_drop")
    if limit is None:
        limit = DEFAULT_MAX_DROP if drop_of_reference is None else max(drop_of_reference, 0.0) + DROP_MARGIN
    stated = check.param("max_drop") is not None  # the spec's own limit stands alone
    if evaluation.transformed_drop is not None and evaluation.transformed_drop > float(limit) \
            and (stated or _errors_multiply(evaluation)):
        return {"key": "accuracy.implausible_drop", **numbers, "max_drop": round(float(limit), 4),
                "reference_drop": drop_of_reference}
    return None


@check_kind(
    "accuracy",
    required=("threshold",),
    optional=("dataset", "bands", "reference_model", "require_structure", "equivalent", "ignore", "contains",
              "own_model", "ceiling", "max_drop"),
    dataset_param="dataset", reference_model_param="reference_model", kit=True, measures="accuracy",
)
def check_accuracy(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Full credit at ``threshold``, the highest ``bands`` fraction reached below it; ``review``
    (points held) when the accuracy is implausible (``ceiling``, ``max_drop``)."""
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
    details = {"dataset": dataset, "samples": evaluation.samples, "scale": evaluation.scale, "model": list(model.names),
               "transformed_accuracy": evaluation.transformed_accuracy,
               "transformed_clean_accuracy": evaluation.transformed_clean_accuracy}
    doubt = implausible(evaluation, check, reference_drop(reference, check, dataset)) if fraction > 0 else None
    if doubt is not None:
        # the points wait for a teacher: --points gives what the model earned, if it is the student's work
        return Outcome("review", 0.0, doubt["key"], params={**params, **doubt},
                       details={**details, "implausible": doubt, "fraction_if_plausible": fraction}, **shown)
    if fraction >= 1.0:
        return passed("accuracy.passed", params=params, details=details, **shown)
    if fraction <= 0.0:
        return failed("accuracy.failed", params=params, details=details, **shown)
    return partial(fraction, "accuracy.partial", params=params, details=details, **shown)
