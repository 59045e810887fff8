"""``compile_config``: optimizer class, hyperparameters and loss, read from the exported model."""

import pytest

from grader.checks.compile_config import check_compile_config
from grader.facts import CompileFacts

SGD = {"learning_rate": 0.009999999776482582, "momentum": 0.9, "nesterov": True, "weight_decay": None}
ADAM = {"learning_rate": 0.0010000000474974513, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}


def _model(make, optimizer, settings, loss=("sparse_categorical_crossentropy",), names=("modelo",), order=0):
    return make.dense_model(names=names, order=order, section="parte-2",
                            compiled=CompileFacts(optimizer, dict(settings), tuple(loss)))


def _check(make, *models, **params):
    params.setdefault("optimizer", "SGD")
    params.setdefault("optimizer_config", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True})
    spec = make.spec("compile_config", "parte-2", **params)
    return check_compile_config(make.notebook(make.section("parte-2", models=models)), make.notebook(), spec)


def test_the_expected_optimizer_passes_despite_float32_learning_rates(make, render):
    outcome = _check(make, _model(make, "SGD", SGD), loss="sparse_categorical_crossentropy")
    assert outcome.status == "passed", outcome
    assert "SGD" in render(outcome, "pt")


def test_each_wrong_hyperparameter_costs_its_share(make, render):
    outcome = _check(make, _model(make, "SGD", {**SGD, "nesterov": False, "momentum": 0.5}))
    assert outcome.status == "partial" and outcome.fraction == pytest.approx(2 / 4)
    text = render(outcome, "pt")
    assert "momentum: 0.5 ≠ 0.9" in text and "nesterov: false ≠ true" in text
    assert "momentum: 0.5 ≠ 0.9" in render(outcome, "en")


def test_another_optimizer_class_earns_nothing_even_with_the_same_learning_rate(make, render):
    outcome = _check(make, _model(make, "Adam", {**ADAM, "learning_rate": 0.009999999776482582}))
    assert outcome.status == "failed" and outcome.actual["optimizer"] == "Adam"
    assert "optimizer: Adam ≠ SGD" in render(outcome, "pt") and "sem pontos" in render(outcome, "pt")


def test_the_model_matching_most_items_is_judged(make):
    """A section with an SGD and an Adam model: each optimizer check finds its own model."""
    sgd, adam = _model(make, "SGD", SGD, names=("modelo_sgd",)), _model(make, "Adam", ADAM, names=("modelo_adam",), order=1)
    assert _check(make, adam, sgd).status == "passed"
    outcome = _check(make, sgd, adam, optimizer="Adam",
                     optimizer_config={"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7})
    assert outcome.status == "passed" and outcome.details["model"] == ["modelo_adam"]


@pytest.mark.parametrize("loss, status", [
    (("sparse_categorical_crossentropy",), "passed"),
    (("SparseCategoricalCrossentropy",), "passed"),  # a loss object: its class name
    (("categorical_crossentropy",), "partial"),
])
def test_the_loss_matches_by_name_or_class(make, loss, status):
    outcome = _check(make, _model(make, "Adam", ADAM, loss=loss), optimizer="Adam", optimizer_config={},
                     loss="sparse_categorical_crossentropy")
    assert outcome.status == status


def test_an_uncompiled_model_fails_with_a_hint(make, render):
    outcome = _check(make, make.dense_model(section="parte-2"))
    assert outcome.status == "failed" and "model.compile" in render(outcome, "pt")


def test_no_model_fails(make):
    assert _check(make).status == "failed"
