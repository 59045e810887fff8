"""Screening: every input form and pixel scale is scored on a probe, the whole test set only where it can win."""

from __future__ import annotations

import numpy as np

from grader.datasets import EvaluationSpec, Split
from grader.inspect import evaluate
from grader.inspect.evaluate import evaluate_accuracy

TEN = EvaluationSpec("fashion_mnist_test", "fashion_mnist_test")
N = 10_000


def _split() -> Split:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 10, N)
    images = np.zeros((N, 28, 28), np.uint8)
    images[np.arange(N), 0, labels] = 255  # the label is written in the first row
    return Split(images, labels)


class Reader:
    """A fake model that reads the label from row 0, right for a share of images per pixel scale."""

    def __init__(self, right_share: dict[str, float]):
        self.right_share, self.rows = right_share, []

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        self.rows.append(len(inputs))
        scale = "1/255" if inputs.max() <= 1.0 else "raw"
        truth = inputs.reshape(len(inputs), 28, 28)[:, 0, :10].argmax(axis=1)
        wrong = (np.arange(len(inputs)) % 1000) >= 1000 * self.right_share[scale]
        predicted = np.where(wrong, (truth + 1) % 10, truth)
        return np.eye(10, dtype=np.float32)[predicted]


def test_a_scale_far_below_the_best_on_the_probe_is_not_scored_on_the_whole_set():
    reader = Reader({"1/255": 0.9, "raw": 0.1})
    result = evaluate_accuracy(reader, _split(), TEN, (None, 28, 28, 1))
    assert result.scale == "1/255" and abs(result.accuracy - 0.9) < 0.01
    # probe at both scales, one full pass, then the winner on the transformed copy
    assert reader.rows == [evaluate.PROBE, evaluate.PROBE, N, evaluate.TRANSFORMED]


def test_scales_close_on_the_probe_are_both_scored_on_the_whole_set_and_the_better_kept():
    reader = Reader({"1/255": 0.82, "raw": 0.88})
    result = evaluate_accuracy(reader, _split(), TEN, (None, 28, 28, 1))
    assert reader.rows == [evaluate.PROBE, evaluate.PROBE, N, N, evaluate.TRANSFORMED]
    assert result.scale == "raw" and abs(result.accuracy - 0.88) < 0.01


def test_screening_gives_the_accuracy_scoring_everything_gives(monkeypatch):
    split = _split()
    screened = evaluate_accuracy(Reader({"1/255": 0.3, "raw": 0.75}), split, TEN, (None, 784),
                                 rng=np.random.default_rng(0))
    monkeypatch.setattr(evaluate, "PROBE", N)  # a set no larger than twice the probe is not screened
    reader = Reader({"1/255": 0.3, "raw": 0.75})
    everything = evaluate_accuracy(reader, split, TEN, (None, 784), rng=np.random.default_rng(0))
    assert reader.rows == [N, N, evaluate.TRANSFORMED] and screened == everything


def test_a_model_that_runs_on_nothing_gives_no_evaluation():
    calls = []
    assert evaluate_accuracy(lambda x: calls.append(len(x)), _split(), TEN, (None, 28, 28, 1)) is None
    assert calls[:1] == [evaluate.PROBE]


def test_large_images_are_predicted_in_small_batches():
    assert evaluate.batch_size(np.zeros((5, 28, 28, 1), np.float32)) == evaluate.MAX_BATCH
    assert evaluate.batch_size(np.zeros((5, 224, 224, 3), np.float32)) == 27
    assert evaluate.batch_size(np.zeros((5, 4096, 4096, 3), np.float32)) == 1
