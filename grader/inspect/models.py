"""Rebuild exported models in the grader's process and describe them as facts.

Configs are deserialized in Keras safe mode (no pickled lambdas, no student classes),
so nothing the student wrote runs here; parameter counts and shapes come from the
rebuilt model's own variables.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from grader.facts import CompileFacts, LayerFacts, ModelFacts

log = logging.getLogger(__name__)

MAX_CONFIG_BYTES = 16 * 1024 * 1024
MISSING_WEIGHTS = "the model was exported without its weights, so its configuration cannot be verified"


def _keras():
    import keras  # imported lazily: pure code paths (checks, reports) never need TensorFlow

    return keras


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


def layer_facts_from(name: str, class_name: str, config: dict, params: int, trainable: int,
                     output_shape: Any) -> LayerFacts:
    """A layer's facts from its configuration (a live layer's, or one the judge process described)."""
    config = sanitize_activations(config if isinstance(config, dict) else {})
    return LayerFacts(
        name=str(name),
        class_name=str(class_name),
        params=int(params),
        trainable_params=int(trainable),
        output_shape=_shape(output_shape),
        units=config.get("units"),
        filters=config.get("filters"),
        kernel_size=_tuple(config.get("kernel_size")),
        strides=_tuple(config.get("strides")),
        pool_size=_tuple(config.get("pool_size")),
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


MAX_ERROR_CHARS = 500  # of a Keras error, which may quote the whole configuration


def _cut(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + " […]"


def load_model(directory: Path):
    """``(model, config)``: the model rebuilt from ``model.json`` (+ weights), or raise ValueError."""
    keras = _keras()
    config_path = directory / "model.json"
    if not config_path.is_file():
        raise ValueError("no exported configuration")
    if config_path.stat().st_size > MAX_CONFIG_BYTES:
        raise ValueError("exported configuration is too large")
    try:
        config = sanitize_activations(json.loads(config_path.read_text(encoding="utf-8")))
    except RecursionError:
        raise ValueError("exported configuration is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("exported configuration is not valid JSON") from None
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as exc:  # Keras raises many types for unknown or unsafe configs
        raise ValueError(f"cannot rebuild the model: {type(exc).__name__}: {_cut(exc)}") from None
    if not isinstance(model, keras.Model):
        raise ValueError("the exported object is not a Keras model")
    if not model.built:
        raise ValueError("the model was never built (no input shape)")
    weights = directory / "model.weights.h5"
    if weights.is_file():
        try:
            model.load_weights(str(weights))
        except Exception as exc:  # mismatched or corrupt weight files
            raise ValueError(f"cannot load the exported weights: {type(exc).__name__}: {_cut(exc)}") from None
    return model, config


def _name_of(value: Any) -> str | None:
    """A loss or optimizer as a name: the string itself or a serialized object's class/function."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if value.get("class_name") == "function" and isinstance(value.get("config"), str):
            return value["config"]
        name = value.get("class_name")
        return name if isinstance(name, str) else None
    return None


def compile_facts(config: Any) -> CompileFacts | None:
    """How the model was compiled, from the ``compile_config`` of its exported configuration."""
    compiled = config.get("compile_config") if isinstance(config, dict) else None
    if not isinstance(compiled, dict):
        return None
    optimizer = compiled.get("optimizer")
    settings = optimizer.get("config") if isinstance(optimizer, dict) else None
    plain = {k: v for k, v in (settings or {}).items() if v is None or isinstance(v, (bool, int, float, str))}
    loss = compiled.get("loss")
    losses = [loss] if not isinstance(loss, (list, tuple)) else list(loss)
    return CompileFacts(optimizer=_name_of(optimizer), optimizer_config=plain,
                        loss=tuple(n for n in map(_name_of, losses) if n))


def model_facts(entry: dict, section: str, directory: Path,
                max_export_params: int | None = None) -> ModelFacts:
    """Facts for one manifest entry; a model that cannot be rebuilt gets ``load_error``."""
    return rebuild(entry, section, directory, max_export_params)[0]


def rebuild(entry: dict, section: str, directory: Path, max_export_params: int | None = None):
    """``(facts, model)`` for one manifest entry; ``model`` is None when it cannot be trusted.

    A model small enough to be exported with its weights (``max_export_params``) must come
    with them: the weights are what ties a configuration to the model really built, so a
    configuration alone (one that notebook code could have forged) earns nothing.
    """
    base = dict(
        key=f"{section}/{entry.get('dir', '?')}",
        section=section,
        order=int(entry.get("order", 0)),
        names=tuple(str(n) for n in entry.get("names", [])),
        api=str(entry.get("api", "unknown")),
        reconstructed=bool(entry.get("reconstructed", False)),
        artifact_dir=str(directory),
    )
    if entry.get("error"):
        return ModelFacts(**base, load_error=str(entry["error"])), None
    try:
        model, config = load_model(directory)
    except ValueError as exc:
        return ModelFacts(**base, load_error=str(exc)), None
    keras = _keras()
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    total, trainable = _size(model.weights), _size(model.trainable_weights)
    has_weights = (directory / "model.weights.h5").is_file()
    if max_export_params is not None and total <= max_export_params and not has_weights:
        return ModelFacts(**base, load_error=MISSING_WEIGHTS), None
    facts = ModelFacts(
        **base,
        has_weights=has_weights,
        total_params=total,
        trainable_params=trainable,
        non_trainable_params=total - trainable,
        input_shape=_shape(model.inputs[0].shape) if len(model.inputs) == 1 else None,
        output_shape=_shape(model.outputs[0].shape) if len(model.outputs) == 1 else None,
        layers=tuple(layer_facts(layer) for layer in layers),
        compiled=compile_facts(config),
    )
    return facts, model
