"""Evaluate a model on held-out data with the grader's own test images and labels.

The student's own ``evaluate`` or printed accuracy is never used: the grader prepares
the test images in the form the model takes, asks for its scores and counts correct
predictions itself. Preparing inputs and scoring live here; producing the scores is a
``predict`` callable, so the same code serves a model rebuilt in this process and one
held by the judge process (which receives the input arrays over its pipe).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable

import numpy as np

from grader.datasets import EvaluationSpec, Split
from grader.facts import EvaluationFacts

log = logging.getLogger(__name__)

Predict = Callable[[np.ndarray], np.ndarray | None]

# Students may or may not divide pixels by 255 before training; both are honest
# preprocessing choices outside the model, so the grader tries each and keeps the better.
SCALES = {"1/255": 1.0 / 255.0, "raw": 1.0}
SIDE = 28  # the grader's test images are (n, 28, 28)
MAX_PAD = 8  # a larger input is tried zero-padded when it exceeds 28 by an even margin up to this
# float32 values fed to ``predict`` at once: 10,000 LeNet-size images go in one call, a
# 224×224×3 model gets chunks instead of a 6 GB array
CHUNK_VALUES = 1 << 25
# Screening: on a test set larger than twice PROBE, every (form, scale) is first scored on
# PROBE evenly spaced images, and only those within SCREEN_MARGIN of the best probe accuracy
# are scored on the whole set. A model trained on ÷255 pixels scores near chance on raw
# ones (and the reverse), so one full pass is usually enough. The margin is about five
# standard errors of the difference of two accuracies measured on 1,000 images, so a form
# that could win on the whole set is never screened out.
PROBE = 1000
SCREEN_MARGIN = 0.10


def _layout(feature: tuple) -> tuple[str, int | None, int | None, int] | None:
    """``(layout, height, width, channels)`` of a model's per-sample input, or None.

    Layouts: ``flat`` (a square image unrolled), ``plain`` (H, W), ``last`` (H, W, C) and
    ``first`` (C, H, W); channels are 1 or 3; a None spatial size stays None here.
    """
    if len(feature) == 1:
        side = int(round(feature[0] ** 0.5)) if feature[0] else 0
        return ("flat", side, side, 1) if side and side * side == feature[0] else None
    if len(feature) == 2:
        return ("plain", feature[0], feature[1], 1)
    if len(feature) == 3:
        if feature[2] in (1, 3):  # channels last wins a tie: it is Keras' default
            return ("last", feature[0], feature[1], feature[2])
        if feature[0] in (1, 3):
            return ("first", feature[1], feature[2], feature[0])
    return None


def _resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
    from keras import ops  # lazily: most models take 28×28 and never need the backend

    resized = ops.image.resize(images[..., None], (height, width), interpolation="bilinear",
                               data_format="channels_last")
    return np.asarray(ops.convert_to_numpy(resized), dtype=np.float32)[..., 0]


def _spatial_candidates(images: np.ndarray, height: int, width: int) -> list[tuple[str, np.ndarray]]:
    """(n, 28, 28) images brought to (n, height, width): zero-padded when it fits, and resized."""
    if (height, width) == (SIDE, SIDE):
        return [("28x28", images)]
    size = "32" if (height, width) == (32, 32) else f"{height}x{width}"
    extra_h, extra_w = height - SIDE, width - SIDE
    found = []
    if 0 <= extra_h <= MAX_PAD and 0 <= extra_w <= MAX_PAD and extra_h % 2 == 0 and extra_w % 2 == 0:
        pads = ((0, 0), (extra_h // 2, extra_h // 2), (extra_w // 2, extra_w // 2))
        found.append((f"pad{size}", np.pad(images, pads)))
    found.append((f"resize{size}", _resize(images, height, width)))
    return found


def _arrange(spatial: np.ndarray, layout: str, channels: int) -> np.ndarray:
    """(n, H, W) gray images in the model's layout, the gray channel repeated for RGB models."""
    if layout == "flat":
        return spatial.reshape(len(spatial), -1)
    if layout == "plain":
        return spatial
    axis = 3 if layout == "last" else 1
    return np.repeat(np.expand_dims(spatial, axis), channels, axis=axis)


def _form_name(spatial: str, layout: str, channels: int) -> str:
    if spatial == "28x28":
        name = {"flat": "flat784", "plain": "28x28", "last": "28x28x1", "first": "channels_first"}[layout]
        if channels == 3:
            name = "28x28x3" if layout == "last" else f"{name}_x3"
        return name
    return f"{spatial}x3" if channels == 3 else spatial


def input_candidates(images: np.ndarray, input_shape: tuple | None) -> list[tuple[str, np.ndarray]]:
    """The grader's (n, 28, 28) images in each form the model may take, as ``(form, inputs)``.

    A model input with 784 values per image gets the images reshaped (``28x28x1``,
    ``28x28``, ``flat784``, ``channels_first``). Another size gets them zero-padded into
    the centre (``pad32``; only when larger by an even margin up to 8) and resized
    (``resize32``, ``resize{H}x{W}``); a 3-channel model gets the gray channel repeated
    (``…x3``); an unknown (None) height or width takes 28. At most two forms, pixel values
    unchanged (the scale is the caller's). An input the images cannot fit gives ``[]``.
    """
    if not input_shape or len(input_shape) < 2:
        return []
    feature = tuple(input_shape[1:])
    n = len(images)
    if None not in feature and int(np.prod(feature)) == SIDE * SIDE:
        known = {(28, 28, 1): "28x28x1", (28, 28): "28x28", (784,): "flat784", (1, 28, 28): "channels_first"}
        name = known.get(feature, "reshape" + "x".join(str(d) for d in feature))
        return [(name, images.reshape((n,) + feature))]
    layout = _layout(feature)
    if layout is None:
        return []
    kind, height, width, channels = layout
    height, width = height or SIDE, width or SIDE
    return [(_form_name(spatial, kind, channels), _arrange(inputs, kind, channels))
            for spatial, inputs in _spatial_candidates(images, height, width)]


# input values of one ``predict`` batch: 1,000 LeNet-size images go at once, 27 images of
# 224×224×3, so the activations of a large model stay at a few hundred MB (one batch of
# 1,000 such images through a 64-filter convolution would need 13 GB)
BATCH_VALUES = 1 << 22
MAX_BATCH = 1000


def batch_size(inputs: np.ndarray) -> int:
    """Images per ``predict`` batch for ``inputs``: at most ``MAX_BATCH``, ``BATCH_VALUES`` values."""
    per_image = max(1, int(np.prod(inputs.shape[1:])))
    return max(1, min(MAX_BATCH, BATCH_VALUES // per_image))


def _chunk_size(input_shape: tuple) -> int:
    return max(1, CHUNK_VALUES // max(1, int(np.prod([d or SIDE for d in input_shape[1:]]))))


def _valid(scores, rows: int) -> np.ndarray | None:
    if scores is None:
        return None
    scores = np.asarray(scores)
    return scores if scores.ndim == 2 and scores.shape[1] >= 1 and len(scores) == rows else None


def predict_forms(predict: Predict, images: np.ndarray, input_shape: tuple | None,
                  only: set[tuple[str, str]] | None = None) -> dict[tuple[str, str], np.ndarray]:
    """Scores of every (form, scale) the model runs on, in the order they were tried.

    Each candidate is built once per chunk of images; a form the model rejects (``predict``
    gives None or scores of the wrong shape) is dropped at every scale. ``only``: the
    (form, scale) pairs to score, all when None.
    """
    parts: dict[tuple[str, str], list[np.ndarray]] = {}
    failed: set[str] = set()
    chunk = _chunk_size(input_shape) if input_shape else len(images)
    for start in range(0, len(images), chunk):
        block = images[start:start + chunk]
        for form, inputs in input_candidates(block, input_shape):
            for scale, factor in SCALES.items():
                if form in failed:
                    break
                if only is not None and (form, scale) not in only:
                    continue
                scores = _valid(predict(inputs * np.float32(factor)), len(block))
                if scores is None:
                    failed.add(form)
                else:
                    parts.setdefault((form, scale), []).append(scores)
    return {key: np.concatenate(found) for key, found in parts.items() if key[0] not in failed}


def candidate_labels(scores: np.ndarray, spec: EvaluationSpec) -> list[tuple[np.ndarray, bool]]:
    """The model's predicted labels for ``spec``, as ``(labels, inverted)`` readings.

    Multi-class outputs: the argmax (binarized by ``spec.positive`` on a two-group
    dataset). One sigmoid unit or two softmax units on a two-group dataset: the student
    chose which group is 1, so both encodings are read and the grader keeps the better.
    One unit on a multi-class dataset cannot answer it: no reading.
    """
    width = scores.shape[1]
    if spec.binary and width <= 2:
        direct = (scores[:, 0] >= 0.5) if width == 1 else (scores.argmax(axis=1) == 1)
        direct = direct.astype(np.int64)
        return [(direct, False), (1 - direct, True)]
    if width == 1:
        return []
    labels = scores.argmax(axis=1)
    if spec.binary:
        labels = np.isin(labels, spec.positive).astype(np.int64)
    return [(labels, False)]


def _best_reading(scores: np.ndarray, spec: EvaluationSpec,
                  labels: np.ndarray) -> tuple[float, np.ndarray, bool] | None:
    """``(accuracy, predicted labels, inverted)`` of the best reading of ``scores``."""
    best = None
    for predicted, inverted in candidate_labels(scores, spec):
        accuracy = float((predicted == labels).mean())
        if best is None or accuracy > best[0]:
            best = (accuracy, predicted, inverted)
    return best


def screened_candidates(predict: Predict, images: np.ndarray, labels: np.ndarray, spec: EvaluationSpec,
                        input_shape: tuple | None) -> set[tuple[str, str]] | None:
    """The (form, scale) pairs worth scoring on the whole set, from a probe of ``PROBE`` images.

    None when the set is too small to screen (everything is scored) or when no pair gave
    a reading on the probe (the whole set then decides, as without screening).
    """
    if len(images) <= 2 * PROBE:
        return None
    picked = np.linspace(0, len(images) - 1, PROBE).astype(np.int64)
    accuracies = {}
    for key, scores in predict_forms(predict, images[picked], input_shape).items():
        reading = _best_reading(scores, spec, labels[picked])
        if reading is not None:
            accuracies[key] = reading[0]
    if len(accuracies) <= 1:
        return set(accuracies) or None
    top = max(accuracies.values())
    return {key for key, accuracy in accuracies.items() if accuracy >= top - SCREEN_MARGIN}


def evaluate_accuracy(predict: Predict, split: Split, spec: EvaluationSpec, input_shape: tuple | None,
                      rng: np.random.Generator | None = None) -> EvaluationFacts | None:
    """Accuracy on ``split`` with the best input form and pixel scale, or None if none runs.

    ``predict`` maps an input array to scores ``(n, outputs)`` or None. Every (form, scale)
    (at most four) is scored on a probe of the test set; those that can still be the best
    are scored on the whole set (in chunks for large inputs), and the best is kept. The
    winner is then scored on a transformed copy of a subset (:func:`transformed_accuracy`);
    ``rng`` draws that copy (a generator seeded from :mod:`secrets` when None).
    """
    images = split.images.astype(np.float32)
    only = screened_candidates(predict, images, split.labels, spec, input_shape)
    best: tuple[float, str, str, np.ndarray, bool] | None = None
    for (form, scale), scores in predict_forms(predict, images, input_shape, only).items():
        reading = _best_reading(scores, spec, split.labels)
        if reading is not None and (best is None or reading[0] > best[0]):
            best = (reading[0], form, scale, reading[1], reading[2])
    if best is None:
        return None
    accuracy, form, scale, labels, inverted = best
    classes = spec.classes
    facts = EvaluationFacts(spec.name, round(accuracy, 6), int(len(split.labels)), scale,
                            confusion_matrix(split.labels, labels, classes), inverted, input_form=form,
                            per_class=per_class_metrics(split.labels, labels, classes))
    copy = transformed_accuracy(predict, split, spec, input_shape, (form, scale), inverted, labels, rng)
    if copy is None:
        return facts
    moved, untouched, samples = copy
    return dataclasses.replace(facts, transformed_accuracy=round(moved, 6),
                               transformed_clean_accuracy=round(untouched, 6), transformed_samples=samples)


# The transformed copy: TRANSFORMED test images drawn at random, each moved by one pixel in
# one of the eight directions (the border filled with zeros) and given Gaussian noise of
# NOISE_SIGMA grey levels, drawn from a seed made in the grader's process, so no kernel can
# have seen or stored these images. A model that learned Fashion-MNIST loses a few points
# there; one that looks the test files up loses what a nearest-neighbour search on pixels
# loses. Measured (clean accuracy on the same images minus accuracy on the copy, 2,000
# images): LeNet-5 variants 0.02-0.05, an MLP 0.08-0.10, a two-group MLP 0.005; models
# holding the test images in their weights 0.13-0.21. The thresholds are the accuracy
# check's (grader/checks/accuracy.py); README "Accuracy on a copy the kernel never saw".
TRANSFORMED = 2000
NOISE_SIGMA = 0.03 * 255
_DIRECTIONS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def transformed_copy(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``images`` (n, 28, 28), each moved one pixel in a random direction and lightly noised, as float32."""
    padded = np.pad(images.astype(np.float32), ((0, 0), (1, 1), (1, 1)))
    direction = rng.integers(0, len(_DIRECTIONS), len(images))
    moved = np.empty(images.shape, np.float32)
    height, width = images.shape[1:3]
    for k, (dy, dx) in enumerate(_DIRECTIONS):
        chosen = direction == k
        moved[chosen] = padded[chosen, 1 + dy:1 + dy + height, 1 + dx:1 + dx + width]
    moved += rng.normal(0.0, NOISE_SIGMA, moved.shape).astype(np.float32)
    return np.clip(moved, 0.0, 255.0)


def transformed_accuracy(predict: Predict, split: Split, spec: EvaluationSpec, input_shape: tuple | None,
                         winner: tuple[str, str], inverted: bool, predicted: np.ndarray,
                         rng: np.random.Generator | None = None) -> tuple[float, float, int] | None:
    """``(accuracy on the copy, accuracy on the same images untouched, images)``, or None.

    Only the (form, scale) that won on the clean set is scored, read the same way
    (``inverted``); ``predicted``: the labels the model gave the whole clean set.
    """
    rng = rng if rng is not None else np.random.default_rng(secrets.randbits(128))
    n = len(split.labels)
    picked = np.sort(rng.choice(n, TRANSFORMED, replace=False)) if n > TRANSFORMED else np.arange(n)
    scores = predict_forms(predict, transformed_copy(split.images[picked], rng), input_shape, {winner}).get(winner)
    if scores is None:
        return None
    reading = next((labels for labels, flipped in candidate_labels(scores, spec) if flipped == inverted), None)
    if reading is None:
        return None
    truth = split.labels[picked]
    return float((reading == truth).mean()), float((predicted[picked] == truth).mean()), int(len(picked))


def _other(classes: int, predictions: np.ndarray) -> np.ndarray:
    """Predictions outside ``0..classes-1`` folded into one column, ``classes``."""
    predictions = np.asarray(predictions)
    return np.where((predictions >= 0) & (predictions < classes), predictions, classes)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int) -> tuple[tuple[int, ...], ...]:
    """Counts of (true class, predicted class) for the dataset's ``classes`` (scikit-learn).

    Rows are the dataset's classes; a prediction outside them counts in one more column,
    "outra classe", present only when some prediction fell there: a model with 600 outputs
    gives a 10×11 matrix, not 600×600.
    """
    from sklearn import metrics  # lazily: a second or so of import only evaluation needs

    folded = _other(classes, predictions)
    columns = classes + 1 if (folded == classes).any() else classes
    matrix = metrics.confusion_matrix(labels, folded, labels=list(range(columns)))[:classes]
    return tuple(tuple(int(v) for v in row) for row in matrix)


def per_class_metrics(labels: np.ndarray, predictions: np.ndarray, classes: int) -> tuple[dict, ...]:
    """Precision, recall, F1 and support of each of the dataset's classes (scikit-learn, 0 when undefined).

    A prediction outside the classes is a miss of its true class and no class's hit.
    """
    from sklearn import metrics

    listed = list(range(classes))
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        labels, _other(classes, predictions), labels=listed, zero_division=0)
    return tuple({"class": c, "precision": round(float(p), 4), "recall": round(float(r), 4),
                  "f1": round(float(f), 4), "support": int(s)}
                 for c, p, r, f, s in zip(listed, precision, recall, f1, support))


def evaluate_model(predict: Predict, evaluations, splits, input_shape: tuple | None) -> tuple[EvaluationFacts, ...]:
    """Accuracy of one model on each dataset of ``evaluations`` (the loop every inspector uses)."""
    results = []
    for spec in evaluations:
        result = evaluate_accuracy(predict, splits[spec.name], spec, input_shape)
        if result is not None:
            results.append(result)
    return tuple(results)
