"""Rebuilding exported models in the grader's process: what is trusted and what is not."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from grader.inspect.keras.models import (  # noqa: E402
    MISSING_WEIGHTS, load_model, model_facts, rebuild, sanitize_activations,
)


def _export(directory, model, *, weights_from=None, config_from=None) -> dict:
    directory.mkdir(parents=True)
    config = keras.saving.serialize_keras_object(config_from or model)
    (directory / "model.json").write_text(json.dumps(config))
    if weights_from is not None:
        weights_from.save_weights(str(directory / "model.weights.h5"))
    return {"names": ["m"], "api": "sequential", "order": 1, "dir": directory.name}


def _dense(units: int):
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(units),
                             keras.layers.Dense(10)])


def test_counts_come_from_the_rebuilt_model(tmp_path):
    model = _dense(32)
    entry = _export(tmp_path / "m1", model, weights_from=model)
    facts = model_facts(entry, "desafio-1", tmp_path / "m1", max_export_params=10**6)
    assert facts.loaded and facts.total_params == 25450 and facts.has_weights
    assert [l.class_name for l in facts.layers] == ["Flatten", "Dense", "Dense"]
    assert facts.layers[1].output_shape == (None, 32)


def test_a_configuration_without_weights_earns_nothing(tmp_path):
    entry = _export(tmp_path / "m2", _dense(32))  # a forged config, weights "disabled"
    facts = model_facts(entry, "desafio-1", tmp_path / "m2", max_export_params=10**6)
    assert not facts.loaded and facts.load_error == MISSING_WEIGHTS


def test_huge_models_may_come_without_weights(tmp_path):
    entry = _export(tmp_path / "m3", _dense(32))
    facts = model_facts(entry, "desafio-1", tmp_path / "m3", max_export_params=1000)
    assert facts.loaded and facts.total_params == 25450 and not facts.has_weights


def test_a_configuration_that_does_not_match_its_weights_is_rejected(tmp_path):
    real = _dense(16)
    entry = _export(tmp_path / "m4", real, weights_from=real, config_from=_dense(32))
    facts = model_facts(entry, "desafio-1", tmp_path / "m4", max_export_params=10**6)
    assert not facts.loaded and "weights" in facts.load_error


def test_unsafe_configurations_are_not_deserialized(tmp_path):
    lambda_model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda x: x * 2)])
    entry = _export(tmp_path / "m5", lambda_model, weights_from=lambda_model)
    facts = model_facts(entry, "desafio-1", tmp_path / "m5", max_export_params=10**6)
    assert not facts.loaded and "cannot rebuild" in facts.load_error


# --- activations passed as TensorFlow functions -------------------------------------------


def _tf_model(output, hidden=None):
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(8, activation=hidden), keras.layers.Dense(10, activation=output)])


def _raw_activation(function):
    return keras.saving.serialize_keras_object(keras.layers.Dense(2, activation=function))["config"]["activation"]


def test_tf_softmax_serializes_as_a_plain_function_that_safe_mode_refuses():
    raw = _raw_activation(tf.nn.softmax)
    assert raw == {"module": "builtins", "class_name": "function", "config": "softmax_v2",
                   "registered_name": "function"}
    with pytest.raises(Exception, match="deserialized"):
        keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(_tf_model(tf.nn.softmax)),
                                              safe_mode=True)


@pytest.mark.parametrize("function, name", [
    (tf.nn.softmax, "softmax"), (tf.math.softmax, "softmax"), (tf.nn.relu, "relu"), (tf.nn.tanh, "tanh"),
    (tf.math.tanh, "tanh"), (tf.sigmoid, "sigmoid"), (tf.nn.leaky_relu, "leaky_relu"),
    (tf.keras.activations.relu, "relu"), (keras.activations.softmax, "softmax"), (tf.nn.swish, "silu"),
    (tf.nn.silu, "silu"), (tf.nn.log_softmax, "log_softmax"), (tf.exp, "exponential"), (tf.nn.elu, "elu"),
    (tf.nn.selu, "selu"), (tf.nn.gelu, "gelu"), (tf.nn.relu6, "relu6"), (tf.nn.softplus, "softplus"),
    (tf.nn.softsign, "softsign"),
])
def test_every_tensorflow_activation_is_read_by_its_keras_name(function, name):
    clean = sanitize_activations({"activation": _raw_activation(function)})["activation"]
    assert keras.activations.get(clean).__name__ == name


@pytest.mark.parametrize("function, hidden, names", [
    (tf.nn.softmax, tf.nn.relu, ["relu", "softmax"]),
    (tf.nn.log_softmax, tf.nn.swish, ["silu", "log_softmax"]),
    ("softmax", tf.math.tanh, ["tanh", "softmax"]),
])
def test_tf_activations_load_and_rebuild_with_keras_names(tmp_path, function, hidden, names):
    model = _tf_model(function, hidden)
    entry = _export(tmp_path / "tf", model, weights_from=model)
    rebuilt, _ = load_model(tmp_path / "tf")
    sample = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    assert np.allclose(rebuilt.predict(sample, verbose=0), model.predict(sample, verbose=0), atol=1e-6)
    facts, again = rebuild(entry, "desafio-1", tmp_path / "tf", max_export_params=10**6)
    assert facts.loaded and again is not None
    assert [layer.activation for layer in facts.layers[1:]] == names


def test_activation_layers_and_wrapped_layers_are_rewritten(tmp_path):
    inputs = keras.Input((5, 3))
    x = keras.layers.LSTM(4, activation=tf.nn.softmax, recurrent_activation=tf.nn.silu, return_sequences=True)(inputs)
    x = keras.layers.TimeDistributed(keras.layers.Dense(2, activation=tf.nn.swish))(x)
    outputs = keras.layers.Activation(tf.nn.softmax)(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    entry = _export(tmp_path / "nested", model, weights_from=model)
    facts = model_facts(entry, "desafio-1", tmp_path / "nested", max_export_params=10**6)
    assert facts.loaded, facts.load_error
    by_class = {layer.class_name: layer for layer in facts.layers}
    assert by_class["LSTM"].activation == "softmax" and by_class["Activation"].activation == "softmax"
    rebuilt, config = load_model(tmp_path / "nested")
    lstm = next(layer for layer in rebuilt.layers if isinstance(layer, keras.layers.LSTM))
    assert lstm.get_config()["recurrent_activation"] == "silu"
    assert "softmax_v2" not in json.dumps(config) and "swish" not in json.dumps(config)


def test_a_students_own_function_is_left_alone_and_stays_unloadable(tmp_path):
    def minha_ativacao(x):
        return x * 2

    model = _tf_model(minha_ativacao)
    raw = keras.saving.serialize_keras_object(model)
    assert sanitize_activations(raw) == raw
    entry = _export(tmp_path / "own", model, weights_from=model)
    facts = model_facts(entry, "desafio-1", tmp_path / "own", max_export_params=10**6)
    assert not facts.loaded and "cannot rebuild" in facts.load_error


def test_only_activation_keys_are_rewritten():
    function = {"module": "builtins", "class_name": "function", "config": "softmax_v2", "registered_name": "function"}
    registered = dict(function, registered_name="Custom>softmax_v2")
    config = {"loss": function, "layers": [{"config": {"activation": registered}}, {"config": {"activation": function}}]}
    assert sanitize_activations(config) == {"loss": function, "layers": [{"config": {"activation": registered}},
                                                                         {"config": {"activation": "softmax"}}]}
