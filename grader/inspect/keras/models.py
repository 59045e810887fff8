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

from grader.facts import CompileFacts, ModelFacts
from grader.inspect.evaluate import Predict, batch_size
from grader.inspect.keras.layers import _shape, _size, layer_facts, sanitize_activations  # noqa: F401 (sanitize_activations: the loader's)

log = logging.getLogger(__name__)

MAX_CONFIG_BYTES = 16 * 1024 * 1024
MISSING_WEIGHTS = "the model was exported without its weights, so its configuration cannot be verified"


def _keras():
    import keras  # imported lazily: pure code paths (checks, reports) never need TensorFlow

    return keras


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


def keras_predictor(model) -> Predict:
    """A ``predict`` callable for a Keras model in this process: None when the model cannot run."""
    def predict(inputs: np.ndarray) -> np.ndarray | None:
        try:
            return np.asarray(model.predict(inputs, batch_size=batch_size(inputs), verbose=0))
        except Exception as exc:  # Keras and TensorFlow raise many types for inputs a model rejects
            log.info("model %s cannot predict on inputs %s: %s: %s", getattr(model, "name", "?"),
                     inputs.shape, type(exc).__name__, exc)
            return None
    return predict
