"""The grader's own evaluation: pixel scales, two-group datasets, label encodings, metrics."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sklearn.metrics import confusion_matrix as sklearn_confusion
from sklearn.metrics import precision_recall_fscore_support

from grader.datasets import EvaluationSpec, Split
from grader.facts import EvaluationFacts
from grader.inspect import evaluate
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
    precision, recall, f1, support = precision_recall_fscore_support(labels, predicted, labels=range(10),
                                                                     zero_division=0)
    assert [row["class"] for row in evaluation.per_class] == list(range(10))  # the dataset's classes
    assert [row["precision"] for row in evaluation.per_class] == pytest.approx(precision, abs=1e-4)
    assert [row["recall"] for row in evaluation.per_class] == pytest.approx(recall, abs=1e-4)
    assert [row["f1"] for row in evaluation.per_class] == pytest.approx(f1, abs=1e-4)
    assert [row["support"] for row in evaluation.per_class] == [2, 3, 2, 1] + [0] * 6
    assert evaluation.per_class[1] == {"class": 1, "precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "support": 3}
    assert evaluation.per_class[4] == {"class": 4, "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert evaluation.confusion == tuple(map(tuple, sklearn_confusion(labels, predicted, labels=range(10))))
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


# ---------------------------------------------------------------- sized by the dataset's classes
def test_a_600_unit_output_gives_a_matrix_of_the_datasets_classes_and_one_other_column():
    labels = np.arange(20) % 10
    predicted = labels.copy()
    predicted[[0, 5, 7]] = [599, 12, 10]  # three answers outside the ten classes
    evaluation = evaluate_accuracy(Scores(one_hot(predicted, 600)), split(labels), TEN, (None, 784))
    assert len(evaluation.confusion) == 10 and {len(row) for row in evaluation.confusion} == {11}
    assert [row[10] for row in evaluation.confusion] == [1, 0, 0, 0, 0, 1, 0, 1, 0, 0]  # "outra classe"
    assert sum(map(sum, evaluation.confusion)) == 20 and evaluation.accuracy == pytest.approx(17 / 20)
    assert [row["class"] for row in evaluation.per_class] == list(range(10))
    assert evaluation.per_class[0]["recall"] == 0.5 and evaluation.per_class[0]["precision"] == 1.0
    assert len(json.dumps(evaluation.to_json())) < 3000


def test_a_model_answering_only_inside_the_classes_has_no_other_column():
    evaluation = evaluate_accuracy(Scores(one_hot(CLASSES, 600)), split(CLASSES), TEN, (None, 28, 28))
    assert {len(row) for row in evaluation.confusion} == {10}


def test_a_two_group_dataset_has_a_two_by_two_matrix_whatever_the_output():
    labels = np.array([1, 0, 1, 0, 0, 1])
    evaluation = evaluate_accuracy(Scores(one_hot(np.array([0, 7, 1, 8, 9, 2]), 600)), split(labels), GROUPS,
                                   (None, 784))
    assert evaluation.confusion == ((3, 0), (0, 3))


# ---------------------------------------------------------------- the transformed copy
def _distinct_images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 28, 28)).astype(np.uint8)


def test_the_copy_moves_every_image_one_pixel_and_adds_light_noise():
    images = np.zeros((400, 28, 28), np.uint8)
    images[:, 10:18, 10:18] = 200
    moved = evaluate.transformed_copy(images, np.random.default_rng(1))
    assert moved.dtype == np.float32 and moved.shape == images.shape
    assert moved.min() >= 0 and moved.max() <= 255
    centres = [np.argwhere(m > 100).mean(axis=0) - 13.5 for m in moved]
    offsets = {tuple(np.round(c).astype(int)) for c in centres}
    assert offsets == {(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)} - {(0, 0)}  # all eight, never still
    noise = moved[:, 0, 0]  # a corner that stays background: only the noise
    assert 0 < noise.mean() < 10


def test_the_copy_is_drawn_from_the_given_seed_and_differs_between_seeds():
    images = _distinct_images(50)
    first = evaluate.transformed_copy(images, np.random.default_rng(5))
    assert np.array_equal(first, evaluate.transformed_copy(images, np.random.default_rng(5)))
    assert not np.array_equal(first, evaluate.transformed_copy(images, np.random.default_rng(6)))


class Lookup:
    """A model that memorized the test images: it answers by looking each image up, exactly."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.table = {image.astype(np.float32).tobytes(): label for image, label in zip(images, labels)}

    def __call__(self, inputs):
        found = [self.table.get(x.reshape(28, 28).astype(np.float32).tobytes(), 0) for x in inputs]
        return one_hot(np.array(found))


def test_a_model_that_looks_the_test_images_up_is_right_on_them_and_lost_on_the_copy():
    images, labels = _distinct_images(3000), np.arange(3000) % 10
    evaluation = evaluate_accuracy(Lookup(images, labels), Split(images, labels.astype(np.uint8)), TEN,
                                   (None, 28, 28, 1), rng=np.random.default_rng(2))
    assert evaluation.accuracy == 1.0 and evaluation.scale == "raw"
    assert evaluation.transformed_samples == evaluate.TRANSFORMED
    assert evaluation.transformed_clean_accuracy == 1.0
    assert evaluation.transformed_accuracy == pytest.approx(0.1, abs=0.03)  # class 0 for every image
    assert evaluation.transformed_drop == pytest.approx(0.9, abs=0.03)


def test_a_model_that_reads_the_images_keeps_its_accuracy_on_the_copy():
    labels = np.arange(3000) % 10
    images = np.zeros((3000, 28, 28), np.uint8)
    for i, label in enumerate(labels):  # the label is the row of a bright bar, which a one-pixel move keeps near
        images[i, 2 + 2 * label, 4:24] = 255

    def bar_reader(inputs):
        rows = inputs.reshape(len(inputs), 28, 28).mean(axis=2).argmax(axis=1)
        return one_hot(np.clip(np.round((rows - 2) / 2), 0, 9).astype(int))

    evaluation = evaluate_accuracy(bar_reader, Split(images, labels.astype(np.uint8)), TEN, (None, 784),
                                   rng=np.random.default_rng(3))
    assert evaluation.accuracy == 1.0
    assert evaluation.transformed_drop < 0.4  # a one-pixel move up or down may land between two rows


def test_the_copy_is_scored_only_with_the_winning_form_and_scale():
    calls = []
    images, labels = _distinct_images(3000), np.arange(3000) % 10
    lookup = Lookup(images, labels)

    def predict(inputs):
        calls.append((inputs.shape, float(inputs.max()) > 1))
        return lookup(inputs)

    evaluate_accuracy(predict, Split(images, labels.astype(np.uint8)), TEN, (None, 28, 28, 1),
                      rng=np.random.default_rng(4))
    assert calls[-1] == ((evaluate.TRANSFORMED, 28, 28, 1), True)  # raw pixels: the scale that won
    assert sum(1 for shape, _ in calls if shape[0] == evaluate.TRANSFORMED) == 1


def test_an_evaluation_without_the_copy_still_reads_from_older_facts():
    old = {"dataset": "fashion_mnist_test", "accuracy": 0.9, "samples": 10000, "scale": "1/255"}
    evaluation = EvaluationFacts.from_json(old)
    assert evaluation.transformed_accuracy is None and evaluation.transformed_drop is None
