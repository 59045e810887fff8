"""Evaluate an exported model on held-out data, in the grader's process.

The student's own ``evaluate`` or printed accuracy is never used: the grader feeds the
test images to the rebuilt model and counts correct predictions itself.
"""

from __future__ import annotations

import numpy as np

from grader.datasets import Split
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


def predict_labels(model, inputs: np.ndarray) -> np.ndarray | None:
    """Class predictions: argmax for multi-class outputs, a 0.5 cut for one unit."""
    scores = np.asarray(model.predict(inputs, batch_size=1000, verbose=0))
    if scores.ndim != 2:
        return None
    if scores.shape[1] == 1:
        return (scores[:, 0] >= 0.5).astype(np.int64)
    return scores.argmax(axis=1)


def evaluate_accuracy(model, split: Split, dataset: str, input_shape: tuple | None) -> EvaluationFacts | None:
    """Accuracy of ``model`` on ``split`` with the better pixel scale, or None if it cannot run."""
    base = adapt_inputs(split.images.astype(np.float32), input_shape)
    if base is None:
        return None
    best: tuple[float, str, np.ndarray] | None = None
    for name, factor in SCALES.items():
        labels = predict_labels(model, base * factor)
        if labels is None or labels.shape != split.labels.shape:
            return None
        accuracy = float((labels == split.labels).mean())
        if best is None or accuracy > best[0]:
            best = (accuracy, name, labels)
    return EvaluationFacts(dataset, round(best[0], 6), int(len(split.labels)), best[1],
                           confusion_matrix(split.labels, best[2]))


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Counts of (true class, predicted class), classes 0..max seen."""
    size = int(max(labels.max(), predictions.max())) + 1
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predictions.astype(np.int64)), 1)
    return tuple(tuple(int(v) for v in row) for row in matrix)
