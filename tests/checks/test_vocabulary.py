"""The framework-neutral layer vocabulary: a PyTorch LeNet-5 and a Keras one compare as equals (pure)."""

from __future__ import annotations

import pytest

from grader.checks.structure import Equivalence, compare_layers, describe, layer_changes, layers_found, normalize_layers
from grader.facts import LayerFacts, ModelFacts, native_layer, op_of_name
from grader.inspect.keras.layers import layer_facts_from
from grader.inspect.torch.layers import channels_last, torch_layer
from tests.checks.conftest import lenet_layers

# cnn-pratica's declared LeNet-5 variants
EQUIVALENT = [["tanh", "relu", "sigmoid"], ["AveragePooling2D", "MaxPooling2D"], ["same", "valid"],
              ["softmax", "linear"]]


def conv(out, kernel=5, padding=0, shape=None):
    return {"class": "Conv2d", "width": out, "kernel": [kernel, kernel], "stride": [1, 1],
            "padding": [padding, padding], "output_shape": shape, "params": out}


def module(cls, shape=None, **more):
    return {"class": cls, "output_shape": shape, **more}


def torch_lenet(c1=6, c2=16, functional=False) -> list[LayerFacts]:
    """LeNet-5 as the torch judge describes a Sequential (nn.ReLU modules) or a forward with F.relu."""
    relu = {"class": "ReLU", "activation": "relu", **({"functional": True} if functional else {})}
    described = [
        conv(c1, padding=2, shape=[2, c1, 28, 28]), relu,
        module("MaxPool2d", [2, c1, 14, 14], kernel=2, stride=2, padding=0),
        conv(c2, shape=[2, c2, 10, 10]), relu,
        module("MaxPool2d", [2, c2, 5, 5], kernel=2, stride=2, padding=0),
        module("Flatten", [2, c2 * 25]),
        module("Linear", [2, 120], width=120), relu,
        module("Linear", [2, 84], width=84), relu,
        module("Linear", [2, 10], width=10),
    ]
    for n, layer in enumerate(described):  # an activation's output has the shape of its input
        if layer is relu:
            described[n] = {**relu, "output_shape": described[n - 1]["output_shape"]}
    return [torch_layer(d) for d in described]


@pytest.mark.parametrize("functional", [False, True])
def test_a_torch_lenet_matches_the_keras_reference(functional):
    reference = normalize_layers(lenet_layers())
    student = normalize_layers(torch_lenet(functional=functional))
    comparison = compare_layers(reference, student, EQUIVALENT)
    assert comparison.fraction == 1.0, comparison.rows()
    assert [layer.output_shape for layer in student] == [layer.output_shape for layer in reference[:len(student)]]


def test_wrong_filters_are_named_as_for_keras():
    reference = normalize_layers(lenet_layers())
    student = normalize_layers(torch_lenet(c1=8, c2=32))
    comparison = compare_layers(reference, student, EQUIVALENT)
    differing = [p for p in comparison.pairs if p.status == "differs"]
    assert [(p.student.class_name, [c[0] for c in p.changes]) for p in differing] == [
        ("Conv2d", ["filters"]), ("Conv2d", ["filters"])]
    assert 0.6 < comparison.fraction < 1.0


def test_attribute_names_follow_the_kind():
    dense, conv_layer, pool = torch_layer(module("Linear", width=3)), torch_layer(conv(4)), torch_layer(
        module("AvgPool2d", kernel=2, stride=1, padding=0))
    assert [dense.attribute_name("width"), conv_layer.attribute_name("width")] == ["units", "filters"]
    assert [conv_layer.attribute_name("kernel"), pool.attribute_name("kernel")] == ["kernel_size", "pool_size"]
    assert describe(pool) == "AvgPool2d(2×2, strides=1×1, valid)"
    other = torch_layer(module("MaxPool2d", kernel=2, stride=2, padding=0))
    assert [c[0] for c in layer_changes(other, pool, Equivalence(EQUIVALENT))] == ["strides"]


@pytest.mark.parametrize("kernel, padding, expected", [(5, 2, "same"), (5, 0, "valid"), (3, 1, "same"),
                                                       (5, 1, "1×1"), (4, 2, "2×2")])
def test_torch_padding_in_keras_words(kernel, padding, expected):
    assert torch_layer(conv(6, kernel, padding)).padding == expected


def test_shapes_are_channels_last():
    assert channels_last([2, 6, 28, 28]) == (None, 28, 28, 6)
    assert channels_last([2, 400]) == (None, 400)
    assert channels_last([5, 3, 100]) == (None, 100, 3)
    assert channels_last(None) is None


def test_spec_names_of_either_framework_stand_for_one_op():
    assert op_of_name("MaxPool2d") == op_of_name("MaxPooling2D") == "max_pool2d"
    assert op_of_name("BatchNorm2d") == op_of_name("BatchNormalization") == "batch_norm"
    assert op_of_name("tanh") == "tanh" and op_of_name(3) == 3
    assert native_layer("keras", "MyLayer") == ("other", "MyLayer")
    bn = torch_layer(module("BatchNorm2d", params=12, buffers=13))
    drop = torch_layer(module("Dropout", rate=0.25))
    model = ModelFacts("k", "s", 0, layers=(bn, drop))
    assert layers_found(model, ["BatchNormalization", "Dropout"], Equivalence()) == ["BatchNormalization", "Dropout"]
    assert bn.buffers == 13 and drop.rate == 0.25


def test_dropout_is_passive_for_either_framework_unless_kept():
    keras_drop = layer_facts_from("d", "Dropout", {"rate": 0.5}, 0, 0, (None, 10))
    torch_drop = torch_layer(module("Dropout2d", rate=0.5))
    assert normalize_layers([keras_drop, torch_drop]) == ()
    assert len(normalize_layers([keras_drop, torch_drop], keep=["Dropout"])) == 2


def test_a_keras_class_the_vocabulary_does_not_list_keeps_its_name():
    lstm = layer_facts_from("l", "LSTM", {"units": 32}, 100, 100, (None, 32))
    custom_conv = layer_facts_from("c", "MinhaConv", {"filters": 8, "kernel_size": [3, 3]}, 80, 80, None)
    assert (lstm.kind, lstm.operation, lstm.width) == ("other", "LSTM", 32)
    assert (custom_conv.kind, custom_conv.operation, describe(custom_conv)) == ("conv", "MinhaConv", "MinhaConv(8, 3×3)")


def test_a_layer_stored_in_keras_words_reads_in_the_vocabulary():
    old = {"name": "pool", "class_name": "AveragePooling2D", "params": 0, "trainable_params": 0,
           "output_shape": [None, 14, 14, 6], "pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}
    layer = LayerFacts.from_json(old)
    assert (layer.kind, layer.op, layer.kernel, layer.stride) == ("pool", "avg_pool2d", (2, 2), (2, 2))
    conv_layer = LayerFacts.from_json({"name": "c", "class_name": "Conv2D", "params": 156, "trainable_params": 156,
                                       "filters": 6, "kernel_size": [5, 5]})
    assert describe(conv_layer) == "Conv2D(6, 5×5)" and conv_layer.kind == "conv"
    assert LayerFacts.from_json(conv_layer.to_json()) == conv_layer
