"""The grader's own evaluation: pixel scales, two-group datasets, label encodings, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from sklearn.metrics import confusion_matrix as sklearn_confusion
from sklearn.metrics import precision_recall_fscore_support

from grader.datasets import EvaluationSpec, Split
from grader.facts import EvaluationFacts
from grader.inspect.evaluate import candidate_labels, evaluate_accuracy

TEN = EvaluationSpec("fashion_mnist_test", "fashion_mnist_test")
GROUPS = EvaluationSpec("vestuario", "fashion_mnist_test", (0, 1, 2, 3, 4, 6))
CLASSES = np.array([0, 5, 6, 7, 9, 3])


class Scores:
    """Stands for a ``predict`` callable: returns fixed scores whatever the input."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=float)
        self.calls = []

    def __call__(self, inputs):
        assert len(inputs) == len(self.scores)
        self.calls.append(inputs.shape)
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


@pytest.mark.parametrize("shape", [(None, 28, 28, 5), (None, 10, 10, 10, 10), (None, 1000), None, (None,)])
def test_an_input_shape_that_does_not_fit_the_images_is_not_evaluated(shape):
    scores = Scores(one_hot(CLASSES))
    assert evaluate_accuracy(scores, split(CLASSES), TEN, shape) is None and scores.calls == []


def test_a_model_that_cannot_predict_is_not_evaluated():
    assert evaluate_accuracy(lambda inputs: None, split(CLASSES), TEN, (None, 28, 28)) is None
    assert evaluate_accuracy(lambda inputs: np.ones((2, 10)), split(CLASSES), TEN, (None, 28, 28)) is None


def test_both_scales_are_tried_and_the_better_is_kept():
    def predict(inputs):  # right only on raw pixels
        return one_hot(CLASSES if inputs.max() > 1 else np.zeros(len(CLASSES), int))

    images = np.full((len(CLASSES), 28, 28), 200, np.uint8)
    evaluation = evaluate_accuracy(predict, Split(images, CLASSES.astype(np.uint8)), TEN, (None, 28, 28, 1))
    assert evaluation.accuracy == 1.0 and evaluation.scale == "raw" and evaluation.input_form == "28x28x1"


def test_per_class_metrics_are_scikit_learns():
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 3])
    predicted = np.array([0, 1, 1, 1, 0, 2, 4, 3])  # class 4 is never true, class 3 always right
    evaluation = evaluate_accuracy(Scores(one_hot(predicted)), split(labels), TEN, (None, 784))
    precision, recall, f1, support = precision_recall_fscore_support(labels, predicted, labels=range(5),
                                                                     zero_division=0)
    assert [row["class"] for row in evaluation.per_class] == [0, 1, 2, 3, 4]
    assert [row["precision"] for row in evaluation.per_class] == pytest.approx(precision, abs=1e-4)
    assert [row["recall"] for row in evaluation.per_class] == pytest.approx(recall, abs=1e-4)
    assert [row["f1"] for row in evaluation.per_class] == pytest.approx(f1, abs=1e-4)
    assert [row["support"] for row in evaluation.per_class] == [2, 3, 2, 1, 0]
    assert evaluation.per_class[1] == {"class": 1, "precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "support": 3}
    assert evaluation.per_class[4] == {"class": 4, "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert evaluation.confusion == tuple(map(tuple, sklearn_confusion(labels, predicted, labels=range(5))))
    assert evaluation.input_form == "flat784"
    assert EvaluationFacts.from_json(evaluation.to_json()) == evaluation


def test_per_class_metrics_on_a_two_group_dataset_have_two_classes():
    labels = np.array([1, 0, 1, 0])
    evaluation = evaluate_accuracy(Scores(np.array([[0.9], [0.2], [0.4], [0.1]])), split(labels), GROUPS,
                                   (None, 28, 28))
    assert [row["class"] for row in evaluation.per_class] == [0, 1]
    assert evaluation.per_class[1]["recall"] == 0.5 and evaluation.per_class[0]["precision"] == pytest.approx(0.6667)


def test_the_grouped_split_labels_the_positive_classes_one(dataset_dir):
    grouped = GROUPS.load(dataset_dir)
    source = TEN.load(dataset_dir)
    assert set(np.unique(grouped.labels)) == {0, 1}
    assert (grouped.labels == np.isin(source.labels, [0, 1, 2, 3, 4, 6])).all()
    assert int(grouped.labels.sum()) == 6000  # six classes of 1,000 test images each
