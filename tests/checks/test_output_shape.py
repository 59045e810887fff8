"""``output_shape``: model output shape, or every layer's, against the reference."""

import dataclasses

from grader.checks.output_shape import check_output_shape, shape_text


def _check(make, models, **params):
    reference = make.notebook(make.section("desafio-3", [make.model(make.lenet_layers(), names=("lenet5",))]))
    student = make.notebook(make.section("desafio-3", models))
    return check_output_shape(student, reference, make.spec("output_shape", reference_model="lenet5", **params))


def test_shape_text_looks_like_keras():
    assert shape_text([None, 10]) == "(None, 10)"
    assert shape_text([None]) == "(None,)"


def test_equal_output_shape_passes(make, render):
    outcome = _check(make, [make.model(make.lenet_layers())])
    assert outcome.status == "passed"
    assert (outcome.expected, outcome.actual) == ([None, 10], [None, 10])
    assert render(outcome, "pt") == "O formato de saída do modelo é (None, 10), como esperado."


def test_different_output_shape_fails(make, render):
    layers = make.lenet_layers()
    layers[-1] = make.layer("Dense", (1,), 85, units=1, activation="sigmoid")
    outcome = _check(make, [make.model(layers)], reveal="expected")
    assert outcome.status == "failed"
    assert render(outcome, "pt") == "O formato de saída do modelo é (None, 1), mas o esperado era (None, 10)."
    verdict = _check(make, [make.model(layers)])  # output_shape reveals the verdict by default
    assert render(verdict, "pt") == "O formato de saída do modelo é (None, 1), diferente do esperado."
    assert render(outcome, "en") == "The model's output shape is (None, 1), but (None, 10) was expected."


def test_per_layer_shapes_give_partial_credit(make, render):
    layers = make.lenet_layers()
    layers[1] = dataclasses.replace(layers[1], padding="valid", output_shape=(None, 24, 24, 6))
    outcome = _check(make, [make.model(layers)], layers="all", reveal="expected")
    assert outcome.status == "partial"
    assert outcome.fraction == 7 / 8
    assert outcome.details["layers"][0]["status"] == "differs"
    assert render(outcome, "pt") == (
        "7 de 8 camadas têm o formato de saída esperado. Primeira diferença em "
        "Conv2D(6, 5×5, valid, tanh): esperado (None, 28, 28, 6), obtido (None, 24, 24, 6)."
    )
    assert _check(make, [make.model(make.lenet_layers())], layers="all").status == "passed"
    verdict = render(_check(make, [make.model(layers)], layers="all"), "pt")
    assert "(None, 28, 28, 6)" not in verdict and "(None, 24, 24, 6), não é o esperado" in verdict
    missing = _check(make, [make.model(make.lenet_layers()[:-1])], layers="all")
    assert render(missing, "pt").endswith("Primeira diferença: falta uma camada Dense.")


def test_require_structure_blocks_other_architectures(make):
    outcome = _check(make, [make.dense_model(units=(10,))], require_structure=0.6)
    assert outcome.message == "model.wrong_structure"
