"""The grader feeds its 28×28 test images in the form the model takes: reshaped, padded, resized."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from grader.datasets import EvaluationSpec, Split  # noqa: E402
from grader.inspect import evaluate  # noqa: E402
from grader.inspect.evaluate import evaluate_accuracy, input_candidates  # noqa: E402
from grader.inspect.keras.models import keras_predictor  # noqa: E402

TEN = EvaluationSpec("fashion_mnist_test", "fashion_mnist_test")
RNG = np.random.default_rng(7)


@pytest.mark.parametrize("input_shape, expected", [
    ((None, 28, 28, 1), [("28x28x1", (28, 28, 1))]),
    ((None, 28, 28), [("28x28", (28, 28))]),
    ((None, 784), [("flat784", (784,))]),
    ((None, 1, 28, 28), [("channels_first", (1, 28, 28))]),
    ((None, 28, 28, 1, 1), [("reshape28x28x1x1", (28, 28, 1, 1))]),
    ((None, 32, 32, 1), [("pad32", (32, 32, 1)), ("resize32", (32, 32, 1))]),
    ((None, 32, 32), [("pad32", (32, 32)), ("resize32", (32, 32))]),
    ((None, 1, 32, 32), [("pad32", (1, 32, 32)), ("resize32", (1, 32, 32))]),
    ((None, 1024), [("pad32", (1024,)), ("resize32", (1024,))]),
    ((None, 32, 32, 3), [("pad32x3", (32, 32, 3)), ("resize32x3", (32, 32, 3))]),
    ((None, 3, 32, 32), [("pad32x3", (3, 32, 32)), ("resize32x3", (3, 32, 32))]),
    ((None, 28, 28, 3), [("28x28x3", (28, 28, 3))]),
    ((None, 3, 28, 28), [("channels_first_x3", (3, 28, 28))]),
    ((None, 36, 30, 1), [("pad36x30", (36, 30, 1)), ("resize36x30", (36, 30, 1))]),
    ((None, 33, 33, 1), [("resize33x33", (33, 33, 1))]),  # odd margin: no centred padding
    ((None, 38, 38, 1), [("resize38x38", (38, 38, 1))]),  # margin over 8
    ((None, 24, 24, 1), [("resize24x24", (24, 24, 1))]),
    ((None, 64, 64, 3), [("resize64x64x3", (64, 64, 3))]),
    ((None, None, None, 1), [("28x28x1", (28, 28, 1))]),
    ((None, None, None, 3), [("28x28x3", (28, 28, 3))]),
    ((None, 1, None, None), [("channels_first", (1, 28, 28))]),
    ((None, None, 28), [("28x28", (28, 28))]),  # e.g. an RNN over rows of any length
])
def test_each_input_shape_gets_its_forms(input_shape, expected):
    images = RNG.integers(0, 256, (3, 28, 28)).astype(np.float32)
    forms = input_candidates(images, input_shape)
    assert [(name, inputs.shape[1:]) for name, inputs in forms] == expected
    assert all(len(inputs) == 3 and inputs.dtype == np.float32 for _, inputs in forms)


@pytest.mark.parametrize("input_shape", [None, (None,), (None, 28, 28, 5), (None, 5, 28, 28), (None, 1000),
                                         (None, 10, 10, 10, 10)])
def test_shapes_the_images_cannot_fit_get_no_form(input_shape):
    assert input_candidates(np.zeros((2, 28, 28), np.float32), input_shape) == []


def test_padding_puts_the_image_in_the_centre_with_zero_borders():
    images = RNG.integers(1, 256, (4, 28, 28)).astype(np.float32)
    padded = dict(input_candidates(images, (None, 32, 32, 1)))["pad32"][..., 0]
    assert (padded[:, 2:30, 2:30] == images).all()
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert (padded[:, border] == 0).all()
    uneven = dict(input_candidates(images, (None, 36, 30)))["pad36x30"]
    assert (uneven[:, 4:32, 1:29] == images).all() and uneven.sum() == images.sum()


def test_resizing_is_bilinear_and_keeps_the_range():
    flat = np.full((2, 28, 28), 200.0, np.float32)
    resized = dict(input_candidates(flat, (None, 32, 32, 1)))["resize32"]
    assert np.allclose(resized, 200.0)
    images = RNG.integers(0, 256, (2, 28, 28)).astype(np.float32)
    resized = dict(input_candidates(images, (None, 32, 32)))["resize32"]
    expected = keras.ops.convert_to_numpy(keras.ops.image.resize(images[..., None], (32, 32)))[..., 0]
    assert np.allclose(resized, expected) and 0 <= resized.min() and resized.max() <= 255


def test_three_channels_repeat_the_gray_image():
    images = RNG.integers(0, 256, (2, 28, 28)).astype(np.float32)
    last = dict(input_candidates(images, (None, 32, 32, 3)))["pad32x3"]
    first = dict(input_candidates(images, (None, 3, 32, 32)))["pad32x3"]
    for channel in range(3):
        assert (last[..., channel] == last[..., 0]).all() and (first[:, channel] == last[..., 0]).all()
    assert (last[:, 2:30, 2:30, 1] == images).all()


# --- real Keras models, weights set by hand -------------------------------------------------

def _one_pixel_images():
    """Class k: one bright pixel at row 1, column 2k + 4, far from the centre.

    Padding moves it to (3, 2k + 6); resizing 28 → 32 spreads it over rows 1-2 only, so a
    model looking at the padded positions sees nothing in the resized images.
    """
    labels = np.repeat(np.arange(10), 3).astype(np.uint8)
    images = np.zeros((len(labels), 28, 28), np.uint8)
    images[np.arange(len(labels)), 1, 2 * labels.astype(int) + 4] = 255
    return Split(images, labels)


def _template_model(input_shape, templates):
    """Flatten + Dense whose class-k weights are template k: the class whose template matches best."""
    model = keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(), keras.layers.Dense(10)])
    kernel = np.stack([t.reshape(-1) for t in templates], axis=1).astype(np.float32)
    model.layers[-1].set_weights([kernel, np.zeros(10, np.float32)])
    return model


def _templates(split, input_shape, form):
    per_class = [split.images[split.labels == k][0:1].astype(np.float32) / 255 for k in range(10)]
    return [dict(input_candidates(image, (None,) + input_shape))[form][0] for image in per_class]


class Counting:
    def __init__(self, model):
        self.predict, self.shapes = keras_predictor(model), []

    def __call__(self, inputs):
        self.shapes.append(inputs.shape)
        return self.predict(inputs)


@pytest.mark.parametrize("input_shape, form", [
    ((32, 32, 1), "pad32"), ((32, 32, 1), "resize32"), ((32, 32), "pad32"), ((1024,), "pad32"),
    ((32, 32, 3), "pad32x3"), ((1, 32, 32), "resize32"),
])
def test_a_32_pixel_model_is_evaluated_in_the_form_it_was_trained_on(input_shape, form):
    split = _one_pixel_images()
    model = _template_model(input_shape, _templates(split, input_shape, form))
    predict = Counting(model)
    evaluation = evaluate_accuracy(predict, split, TEN, (None,) + input_shape)
    assert evaluation.accuracy == 1.0 and evaluation.input_form == form and evaluation.scale == "1/255"
    # two forms at two scales, then the winner on the transformed copy
    assert len(predict.shapes) == 5 and all(s == (30,) + input_shape for s in predict.shapes)
    used = "pad" if form.startswith("pad") else "resize"
    other = form.replace(used, {"pad": "resize", "resize": "pad"}[used], 1)
    inputs = dict(input_candidates(split.images.astype(np.float32), (None,) + input_shape))[other]
    scores = model.predict(inputs / 255, verbose=0)
    assert (scores.argmax(axis=1) == split.labels).mean() <= 0.2  # the other form really fails


@pytest.mark.parametrize("input_shape, form", [
    ((1, 28, 28), "channels_first"), ((784,), "flat784"), ((28, 28), "28x28"), ((28, 28, 3), "28x28x3"),
])
def test_28_pixel_models_in_any_layout(input_shape, form):
    split = _one_pixel_images()
    model = _template_model(input_shape, _templates(split, input_shape, form))
    predict = Counting(model)
    evaluation = evaluate_accuracy(predict, split, TEN, (None,) + input_shape)
    assert evaluation.accuracy == 1.0 and evaluation.input_form == form
    assert len(predict.shapes) == 3  # one form, two scales, then the winner on the transformed copy


def test_a_model_with_no_fixed_image_size_gets_28_by_28():
    split = _one_pixel_images()
    kernel = np.stack(_templates(split, (28, 28, 1), "28x28x1"), axis=-1)  # (28, 28, 1, 10)
    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(10, 28),
                              keras.layers.GlobalMaxPooling2D()])
    model.layers[0].set_weights([kernel, np.zeros(10, np.float32)])
    evaluation = evaluate_accuracy(keras_predictor(model), split, TEN, tuple(model.inputs[0].shape))
    assert evaluation.accuracy == 1.0 and evaluation.input_form == "28x28x1"


def test_a_form_the_model_rejects_is_skipped():
    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(10, 30),
                              keras.layers.GlobalMaxPooling2D()])  # a 30-pixel kernel cannot run on 28
    assert evaluate_accuracy(keras_predictor(model), _one_pixel_images(), TEN, (None, None, None, 1)) is None


def test_large_inputs_are_fed_in_chunks_with_the_same_result(monkeypatch):
    split = _one_pixel_images()
    model = _template_model((32, 32, 1), _templates(split, (32, 32, 1), "pad32"))
    whole = evaluate_accuracy(keras_predictor(model), split, TEN, (None, 32, 32, 1), rng=np.random.default_rng(0))
    monkeypatch.setattr(evaluate, "CHUNK_VALUES", 32 * 32 * 7)
    predict = Counting(model)
    chunked = evaluate_accuracy(predict, split, TEN, (None, 32, 32, 1), rng=np.random.default_rng(0))
    # 30 images in 5 chunks: two forms at two scales, then the winner on the copy
    assert chunked == whole and max(s[0] for s in predict.shapes) == 7 and len(predict.shapes) == 5 * 4 + 5
