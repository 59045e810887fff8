"""The grader's own evaluation: pixel scales, two-group datasets, label encodings."""

from __future__ import annotations

import numpy as np
import pytest

from grader.datasets import EvaluationSpec, Split
from grader.inspect.evaluate import candidate_labels, evaluate_accuracy

TEN = EvaluationSpec("fashion_mnist_test", "fashion_mnist_test")
GROUPS = EvaluationSpec("vestuario", "fashion_mnist_test", (0, 1, 2, 3, 4, 6))
CLASSES = np.array([0, 5, 6, 7, 9, 3])


class Scores:
    """Stands for a model: returns fixed scores whatever the input (only ``predict`` is used)."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=float)

    def predict(self, inputs, batch_size, verbose):
        assert len(inputs) == len(self.scores)
        return self.scores


def one_hot(classes, width=10):
    return np.eye(width)[classes]


def split(labels):
    return Split(np.zeros((len(labels), 28, 28), np.uint8), np.asarray(labels, np.uint8))


def test_a_multiclass_model_is_read_by_argmax():
    evaluation = evaluate_accuracy(Scores(one_hot(CLASSES)), split(CLASSES), TEN, (None, 28, 28))
    assert evaluation.accuracy == 1.0 and len(evaluation.confusion) == 10 and not evaluation.inverted


def test_a_multiclass_model_is_binarized_on_a_two_group_dataset():
    labels = np.isin(CLASSES, GROUPS.positive).astype(np.uint8)  # [1, 0, 1, 0, 0, 1]
    wrong_within_group = np.array([1, 7, 0, 9, 5, 2])  # every class wrong, every group right
    evaluation = evaluate_accuracy(Scores(one_hot(wrong_within_group)), split(labels), GROUPS, (None, 784))
    assert evaluation.accuracy == 1.0
    assert evaluation.confusion == ((3, 0), (0, 3))


@pytest.mark.parametrize("inverted", [False, True])
def test_one_sigmoid_unit_is_accepted_with_either_encoding(inverted):
    labels = np.array([1, 0, 1, 0, 0, 1])
    probability = np.where(labels == 1, 0.9, 0.2) if not inverted else np.where(labels == 1, 0.1, 0.7)
    probability[0] = 1 - probability[0]  # one mistake
    evaluation = evaluate_accuracy(Scores(probability[:, None]), split(labels), GROUPS, (None, 28, 28))
    assert evaluation.accuracy == pytest.approx(5 / 6)
    assert evaluation.inverted is inverted


def test_two_softmax_units_read_class_one_as_label_one():
    labels = np.array([1, 0, 1, 0])
    readings = candidate_labels(one_hot(labels, 2), GROUPS)
    assert [list(r) for r, _ in readings] == [[1, 0, 1, 0], [0, 1, 0, 1]]


def test_one_unit_cannot_answer_ten_classes():
    assert candidate_labels(np.full((3, 1), 0.9), TEN) == []
    assert evaluate_accuracy(Scores(np.full((6, 1), 0.9)), split(CLASSES), TEN, (None, 28, 28)) is None


def test_an_input_shape_that_does_not_fit_the_images_is_not_evaluated():
    assert evaluate_accuracy(Scores(one_hot(CLASSES)), split(CLASSES), TEN, (None, 32, 32, 3)) is None


def test_the_grouped_split_labels_the_positive_classes_one(dataset_dir):
    grouped = GROUPS.load(dataset_dir)
    source = TEN.load(dataset_dir)
    assert set(np.unique(grouped.labels)) == {0, 1}
    assert (grouped.labels == np.isin(source.labels, [0, 1, 2, 3, 4, 6])).all()
    assert int(grouped.labels.sum()) == 6000  # six classes of 1,000 test images each
