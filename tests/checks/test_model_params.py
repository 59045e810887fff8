"""``model_params``: parameter counts equal the reference's."""

import dataclasses

from grader.checks.model_params import check_model_params

EQUIVALENT = [["tanh", "relu", "sigmoid"], ["AveragePooling2D", "MaxPooling2D"], ["same", "valid"], ["softmax", "linear"]]


def _reference(make):
    lenet = make.model(make.lenet_layers(), names=("lenet5",))
    valid = [dataclasses.replace(x, padding="valid") if x.class_name == "Conv2D" else x for x in make.lenet_layers()]
    valid[1] = dataclasses.replace(valid[1], output_shape=(None, 24, 24, 6))
    lenet_valid = make.model(valid, names=("lenet5_valida",), order=1, total_params=44426)
    mlp = make.dense_model(names=("modelo_mlp",), section="desafio-1")
    return make.notebook(make.section("desafio-1", [mlp]), make.section("desafio-3", [lenet, lenet_valid]))


def _check(make, models, **params):
    params.setdefault("reference_model", "lenet5")
    student = make.notebook(make.section("desafio-3", models))
    return check_model_params(student, _reference(make), make.spec("model_params", **params))


def test_equal_total_passes(make, render):
    outcome = _check(make, [make.dense_model(order=0), make.model(make.lenet_layers(), order=1)])
    assert outcome.status == "passed"
    assert (outcome.expected, outcome.actual) == (61706, 61706)
    assert render(outcome, "pt") == "O modelo tem 61.706 parâmetros, como esperado."
    assert render(outcome, "en") == "The model has 61,706 parameters, as expected."


def test_different_total_fails(make, render):
    outcome = _check(make, [make.model(make.lenet_layers(c1=8))], reveal="expected")
    assert outcome.status == "failed"
    assert (outcome.expected, outcome.actual) == (61706, 62558)
    assert render(outcome, "pt").startswith("O modelo tem 62.558 parâmetros, mas o esperado era 61.706.")
    assert "but 61,706 were expected" in render(outcome, "en")


def test_a_count_the_desafio_asks_for_is_not_in_the_message_by_default(make, render):
    outcome = _check(make, [make.model(make.lenet_layers(c1=8))])
    assert (outcome.status, outcome.message) == ("failed", "model_params.failed_verdict")
    assert outcome.expected == 61706  # kept for the instructor's view and results.json
    for lang in ("pt", "en"):
        assert "62" in render(outcome, lang) and "61" not in render(outcome, lang)


def test_any_alternative_reference_is_accepted(make):
    student = make.model(make.lenet_layers(), total_params=44426, trainable_params=44426)
    outcome = _check(make, [student], reference_model=["lenet5", "lenet5_valida"], equivalent=EQUIVALENT)
    assert outcome.status == "passed"
    assert outcome.expected == [61706, 44426]


def test_reference_in_another_section_is_found(make):
    outcome = _check(make, [make.dense_model()], reference_model="modelo_mlp")
    assert outcome.status == "passed"


def test_trainable_split_is_compared_when_asked(make, render):
    student = make.model(make.lenet_layers(), trainable_params=61000, non_trainable_params=706)
    assert _check(make, [student]).status == "passed"
    outcome = _check(make, [student], compare=["total", "trainable", "non_trainable"], reveal="expected")
    assert (outcome.status, outcome.message) == ("failed", "model_params.failed_split")
    verdict = _check(make, [student], compare=["total", "trainable", "non_trainable"])
    assert verdict.message == "model_params.failed_split_verdict" and "61.706 treináveis" not in render(verdict, "pt")
    assert outcome.actual == {"total": 61706, "trainable": 61000, "non_trainable": 706}
    assert "61.000 treináveis e 706 não treináveis" in render(outcome, "pt")


def test_wrong_architecture_earns_nothing_under_require_structure(make, render):
    impostor = make.dense_model(units=(77, 10), total_params=61706)
    outcome = _check(make, [impostor], require_structure=0.6, equivalent=EQUIVALENT)
    assert (outcome.status, outcome.message) == ("failed", "model.wrong_structure")
    assert "não tem a arquitetura pedida" in render(outcome, "pt")
    assert "mínimo é 60%" in render(outcome, "pt")
    assert outcome.details["diff"]


def test_missing_reference_model_is_an_error(make, render):
    outcome = _check(make, [make.dense_model()], reference_model="nao_existe")
    assert (outcome.status, outcome.message) == ("error", "model.reference_missing")
    assert "[Para o professor]" in render(outcome, "pt")


def test_unloadable_model_is_an_error_with_the_reason(make, render):
    broken = make.model([], load_error="unknown layer: MyLayer", total_params=None)
    outcome = _check(make, [broken])
    assert (outcome.status, outcome.message) == ("error", "model.load_error")
    assert render(outcome, "en") == "Your model could not be rebuilt for grading: unknown layer: MyLayer"


def test_no_model_fails(make, render):
    outcome = _check(make, [])
    assert (outcome.status, outcome.message) == ("failed", "model.none_found")
    # the same words for a PyTorch hand-in: the message names no single framework
    for lang in ("pt", "en"):
        text = render(outcome, lang)
        assert "Keras" in text and "PyTorch" in text, text


def test_unknown_compare_entry_is_an_error(make):
    assert _check(make, [make.dense_model()], compare=["totla"]).status == "error"
