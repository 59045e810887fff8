"""Evaluate an exported model on held-out data, in the grader's process.

The student's own ``evaluate`` or printed accuracy is never used: the grader feeds the
test images to the rebuilt model and counts correct predictions itself.
"""

from __future__ import annotations

import numpy as np

from grader.datasets import EvaluationSpec, Split
from grader.facts import EvaluationFacts

# Students may or may not divide pixels by 255 before training; both are honest
# preprocessing choices outside the model, so the grader tries each and keeps the better.
SCALES = {"1/255": 1.0 / 255.0, "raw": 1.0}


def adapt_inputs(images: np.ndarray, input_shape: tuple | None) -> np.ndarray | None:
    """Reshape (n, 28, 28) images to the model's input shape, or None if incompatible."""
    if not input_shape:
        return None
    feature = tuple(input_shape[1:])
    pixels = int(np.prod(images.shape[1:]))
    if None in feature or int(np.prod(feature)) != pixels:
        return None
    return images.reshape((len(images),) + feature)


def predict_scores(model, inputs: np.ndarray) -> np.ndarray | None:
    scores = np.asarray(model.predict(inputs, batch_size=1000, verbose=0))
    return scores if scores.ndim == 2 and scores.shape[1] >= 1 else None


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


def evaluate_accuracy(model, split: Split, spec: EvaluationSpec, input_shape: tuple | None) -> EvaluationFacts | None:
    """Accuracy of ``model`` on ``split`` with the better pixel scale, or None if it cannot run."""
    base = adapt_inputs(split.images.astype(np.float32), input_shape)
    if base is None:
        return None
    best: tuple[float, str, np.ndarray, bool] | None = None
    for name, factor in SCALES.items():
        scores = predict_scores(model, base * factor)
        if scores is None or len(scores) != len(split.labels):
            return None
        for labels, inverted in candidate_labels(scores, spec):
            accuracy = float((labels == split.labels).mean())
            if best is None or accuracy > best[0]:
                best = (accuracy, name, labels, inverted)
    if best is None:
        return None
    accuracy, scale, labels, inverted = best
    return EvaluationFacts(spec.name, round(accuracy, 6), int(len(split.labels)), scale,
                           confusion_matrix(split.labels, labels), inverted)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Counts of (true class, predicted class), classes 0..max seen."""
    size = int(max(labels.max(), predictions.max())) + 1
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predictions.astype(np.int64)), 1)
    return tuple(tuple(int(v) for v in row) for row in matrix)
