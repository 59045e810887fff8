"""Rebuilding exported models in the grader's process: what is trusted and what is not."""

from __future__ import annotations

import json

import pytest

keras = pytest.importorskip("keras")

from grader.inspect.models import MISSING_WEIGHTS, model_facts  # noqa: E402


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
