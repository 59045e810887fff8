"""The harness knows no framework: a third framework's harvest plugs in as an extension.

Pure (no kernel, no framework): the harness runs here as it runs in a kernel, over a
namespace that holds instances of a toy "framework" class, found by the walk the harness lends
its extensions (``reachable``) and numbered by its export loop (``export_new``), as the Keras
and PyTorch harvests are.
"""

from __future__ import annotations

import json
import os
import random

import numpy as np

from grader.execute import kernel_side


class Net:  # a toy framework's model
    def __init__(self, width):
        self.width = width
        self.parts = []


class Holder:  # an instance of the notebook's own class holding a model
    pass


Holder.__module__ = "__main__"


class ToyHarvest:
    """What an inspector's kernel code adds: models of its framework, exported once each."""

    def __init__(self, harness, side):
        self.harness, self.constructor_call = harness, side["constructor_call"]
        self.first_seen = {}

    def models(self, user_ns):
        return self.harness.reachable(user_ns, lambda value: isinstance(value, Net), open_models=False)

    def note_cell(self, user_ns, count):
        for key in self.models(user_ns):
            self.first_seen.setdefault(key, count)

    def describe(self, model, folder):
        os.makedirs(folder)
        with open(os.path.join(folder, "toy.json"), "w", encoding="utf-8") as handle:
            json.dump({"width": model.width}, handle)
        return {"framework": "toy", "width": model.width}

    def harvest(self, user_ns, directory, manifest, export):
        if user_ns.get("broken"):
            raise RuntimeError("the toy harvest failed")
        self.harness.export_new(list(self.models(user_ns).values()), directory, manifest, export, self.describe,
                                lambda model, exc: {"framework": "toy", "error": str(exc)},
                                lambda model: self.first_seen.get(id(model)))


def _harness():
    state, np_state = random.getstate(), np.random.get_state()
    try:
        harness = kernel_side.Harness(42, 10**6)
    finally:
        random.setstate(state)
        np.random.set_state(np_state)
    harness.extensions.append(ToyHarvest(harness, vars(kernel_side)))
    return harness


def _manifest(root, segment):
    return json.loads((root / segment / "manifest.json").read_text(encoding="utf-8"))


def test_a_third_framework_exports_its_models_through_the_harness(tmp_path):
    harness = _harness()
    holder = Holder()
    holder.net = Net(4)
    user_ns = {"a": Net(1), "kept": [Net(2), {"deep": Net(3)}], "h": holder, "_hidden": Net(9), "x": 7}
    harness.note_cell(user_ns, 3)
    harness.harvest("desafio-1", str(tmp_path), user_ns, ["x"])
    manifest = _manifest(tmp_path, "desafio-1")
    assert [(m["width"], m["order"], m["dir"], m["execution_count"]) for m in manifest["models"]] == [
        (1, 1, "model1", 3), (2, 2, "model2", 3), (3, 3, "model3", 3), (4, 4, "model4", 3)]
    assert json.loads((tmp_path / "desafio-1" / "model2" / "toy.json").read_text()) == {"width": 2}
    assert manifest["values"] == {"x": 7} and "harvest_errors" not in manifest
    # a later section exports only what is new there, numbered on
    user_ns["b"] = Net(5)
    harness.harvest("desafio-2", str(tmp_path), user_ns)
    assert [(m["width"], m["order"]) for m in _manifest(tmp_path, "desafio-2")["models"]] == [(5, 5)]


def test_an_extension_that_fails_costs_its_models_not_the_harvest(tmp_path):
    harness = _harness()
    harness.harvest("desafio-1", str(tmp_path), {"broken": True, "x": 1, "a": Net(1)}, ["x"])
    manifest = _manifest(tmp_path, "desafio-1")
    assert manifest["models"] == [] and manifest["values"] == {"x": 1}
    assert manifest["harvest_errors"] == ["RuntimeError: the toy harvest failed"]


def test_without_export_models_are_only_marked_seen(tmp_path):
    harness = _harness()
    user_ns = {"a": Net(1)}
    harness.harvest("desafio-1", str(tmp_path), user_ns, export=False)  # a replay after a restart
    assert not (tmp_path / "desafio-1" / "manifest.json").exists()
    harness.harvest("desafio-2", str(tmp_path), user_ns)
    assert _manifest(tmp_path, "desafio-2")["models"] == []
