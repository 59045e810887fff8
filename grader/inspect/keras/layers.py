"""Keras layers in the framework-neutral vocabulary of :mod:`grader.facts`.

Pure: works on a layer's configuration (a live layer's, or one the judge described); a
live layer is only asked for its name, class, configuration, weights and output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.facts import LayerFacts, native_layer


def _size(variables) -> int:
    return int(sum(int(np.prod(v.shape)) for v in variables))


def _shape(value: Any) -> tuple | None:
    if value is None:
        return None
    try:
        return tuple(None if d is None else int(d) for d in value)
    except TypeError:
        return None


def _tuple(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return (value,)
    return tuple(int(v) for v in value)


def _activation(config: dict) -> str | None:
    value = config.get("activation")
    if value is None:
        return None
    if isinstance(value, dict):
        inner = value.get("config")
        if isinstance(inner, str):  # a plain function: {"class_name": "function", "config": "relu"}
            return inner
        return str((inner or {}).get("name") or value.get("class_name"))
    return str(value)


def layer_facts(layer) -> LayerFacts:
    """Describe one built layer: class, configuration, output shape, parameters."""
    try:
        output_shape = _shape(layer.output.shape)
    except (AttributeError, ValueError):
        output_shape = None
    return layer_facts_from(layer.name, type(layer).__name__, layer.get_config(), _size(layer.weights),
                            _size(layer.trainable_weights), output_shape)


def _keras_kind(class_name: str, config: dict) -> tuple[str, str]:
    """``(kind, op)`` of a Keras layer: its class in the vocabulary, else guessed from its configuration."""
    kind, op = native_layer("keras", class_name)
    if kind == "other" and op == class_name:  # a class the vocabulary does not list (a custom layer)
        kind = "conv" if "filters" in config else "pool" if "pool_size" in config else "other"
        op = ""
    return kind, op


def layer_facts_from(name: str, class_name: str, config: dict, params: int, trainable: int,
                     output_shape: Any) -> LayerFacts:
    """A layer's facts from its configuration (a live layer's, or one the judge process described)."""
    config = sanitize_activations(config if isinstance(config, dict) else {})
    kind, op = _keras_kind(str(class_name), config)
    pooling = kind == "pool"
    return LayerFacts(
        name=str(name),
        class_name=str(class_name),
        params=int(params),
        trainable_params=int(trainable),
        output_shape=_shape(output_shape),
        kind=kind,
        op=op,
        width=config.get("units") if config.get("units") is not None else config.get("filters"),
        kernel=_tuple(config.get("pool_size") if pooling else config.get("kernel_size")),
        stride=_tuple(config.get("strides")),
        padding=config.get("padding"),
        activation=_activation(config),
        rate=config.get("rate"),
    )


# TensorFlow functions passed as activations (``activation=tf.nn.softmax``, the TensorFlow
# tutorials' idiom) that Keras does not know by name serialize as a plain "function"
# object, which safe mode refuses to rebuild. They are the Keras activations below, so the
# JSON names them so. (``tf.nn.relu``, ``tf.nn.tanh``, ``tf.sigmoid``, ``tf.nn.leaky_relu``
# ... already serialize as the Keras names; ``tf.nn.softmax`` gives ``softmax_v2``,
# ``tf.nn.silu``/``tf.nn.swish`` ``swish``, ``tf.nn.log_softmax`` ``log_softmax_v2``,
# ``tf.exp`` ``exp``.)
ACTIVATION_NAMES = {
    **{name: name for name in ("softmax", "relu", "relu6", "tanh", "sigmoid", "elu", "selu", "gelu",
                               "silu", "leaky_relu", "log_softmax", "softplus", "softsign",
                               "exponential", "hard_sigmoid", "linear")},
    "softmax_v2": "softmax", "log_softmax_v2": "log_softmax", "swish": "silu", "exp": "exponential",
}
ACTIVATION_KEYS = ("activation", "recurrent_activation")


def _known_function(value: Any) -> str | None:
    """The Keras activation a serialized plain function stands for, or None."""
    if not isinstance(value, dict) or value.get("class_name") != "function":
        return None
    if value.get("registered_name") not in (None, "function"):  # a registered custom object
        return None
    name = value.get("config")
    return ACTIVATION_NAMES.get(name) if isinstance(name, str) else None


def sanitize_activations(config: Any) -> Any:
    """``config`` with every known TensorFlow activation function renamed to its Keras name.

    Walks the whole JSON (nested models, wrapped layers); unknown functions, such as a
    student's own ``def`` or a lambda, stay as they are, so safe mode still refuses them.
    """
    if isinstance(config, list):
        return [sanitize_activations(item) for item in config]
    if not isinstance(config, dict):
        return config
    clean = {}
    for key, value in config.items():
        name = _known_function(value) if key in ACTIVATION_KEYS else None
        clean[key] = name if name is not None else sanitize_activations(value)
    return clean
