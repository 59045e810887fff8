"""Small hand-made facts for the check-kind tests (no kernel, no TensorFlow)."""

from __future__ import annotations

import json

from types import SimpleNamespace

import pytest

from grader.checks.base import Outcome
from grader.facts import CellRecord, EvaluationFacts, LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.inspect.keras.layers import layer_facts_from
from grader.messages import load_catalogue
from grader.spec import CheckSpec


def layer(class_name: str, out=None, params: int = 0, **attributes) -> LayerFacts:
    """One Keras layer, its ``attributes`` in Keras words (``filters=6``); ``out``: the output shape
    without the batch dimension."""
    shape = (None, *out) if out is not None else None
    return layer_facts_from(class_name.lower(), class_name, attributes, params, params, shape)


def lenet_layers(activation: str = "tanh", pool: str = "AveragePooling2D", c1: int = 6) -> list[LayerFacts]:
    """LeNet-5 for 28×28×1 inputs (61,706 parameters with ``c1=6``)."""
    conv1 = c1 * 26
    return [
        layer("InputLayer", (28, 28, 1)),
        layer("Conv2D", (28, 28, c1), conv1, filters=c1, kernel_size=(5, 5), strides=(1, 1), padding="same", activation=activation),
        layer(pool, (14, 14, c1), pool_size=(2, 2), strides=(2, 2), padding="valid"),
        layer("Conv2D", (10, 10, 16), 16 * (25 * c1 + 1), filters=16, kernel_size=(5, 5), strides=(1, 1), padding="valid", activation=activation),
        layer(pool, (5, 5, 16), pool_size=(2, 2), strides=(2, 2), padding="valid"),
        layer("Flatten", (400,)),
        layer("Dense", (120,), 48120, units=120, activation=activation),
        layer("Dense", (84,), 10164, units=84, activation=activation),
        layer("Dense", (10,), 850, units=10, activation="softmax"),
    ]


def model(layers, names=("modelo",), section="desafio-3", order=0, accuracy=None, **kw) -> ModelFacts:
    """A loaded model whose counts and output shape are derived from ``layers``."""
    total = sum(x.params for x in layers)
    evaluations = (EvaluationFacts("fashion_mnist_test", accuracy, 10000, "0-1"),) if accuracy is not None else ()
    defaults = dict(
        key=f"{section}-{order}",
        section=section,
        order=order,
        names=tuple(names),
        has_weights=True,
        total_params=total,
        trainable_params=total,
        non_trainable_params=0,
        output_shape=layers[-1].output_shape if layers else None,
        layers=tuple(layers),
        evaluations=evaluations,
    )
    defaults.update(kw)
    return ModelFacts(**defaults)


def dense_model(units=(100, 10), inputs=784, **kw) -> ModelFacts:
    """An MLP on flattened inputs."""
    layers, previous = [layer("Flatten", (inputs,))], inputs
    for n in units:
        layers.append(layer("Dense", (n,), previous * n + n, units=n, activation="relu"))
        previous = n
    return model(layers, **kw)


def section(sid="desafio-3", models=(), values=None, cells=(), attempted=True, **kw) -> SectionFacts:
    return SectionFacts(sid, sid.title(), cells=tuple(cells), models=tuple(models), values=values or {},
                        harvested=True, attempted=attempted, **kw)


def notebook(*sections: SectionFacts, cells=()) -> NotebookFacts:
    return NotebookFacts("0" * 64, cells=tuple(cells), sections=tuple(sections))


def cell(index: int, status="ok", sid="desafio-1", **kw) -> CellRecord:
    return CellRecord(index, sid, status, **kw)


def spec(kind: str, sid="desafio-3", reveal=None, **params) -> CheckSpec:
    return CheckSpec(f"{sid}-{kind}", sid, kind, 1.0, params=params, reveal=reveal)


@pytest.fixture
def make():
    """The fact builders, as one namespace."""
    return SimpleNamespace(
        layer=layer, lenet_layers=lenet_layers, model=model, dense_model=dense_model,
        section=section, notebook=notebook, cell=cell, spec=spec,
    )


@pytest.fixture(scope="session")
def catalogues():
    return {"pt": load_catalogue("pt"), "en": load_catalogue("en")}


@pytest.fixture
def render(catalogues):
    """Render an Outcome's message in ``lang``; fail on unknown keys or bad placeholders."""

    def _render(outcome: Outcome, lang: str = "pt") -> str:
        json.dumps(outcome.to_json())  # what results.json will hold must be plain JSON
        assert outcome.message in catalogues[lang].messages, outcome.message
        text = catalogues[lang].render(outcome.message, outcome.params)
        assert not text.startswith(f"[{outcome.message}"), text
        return text

    return _render
