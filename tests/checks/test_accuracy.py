"""``accuracy``: the grader's own evaluation against a threshold and bands."""

import pytest

from grader.checks.accuracy import check_accuracy, score_accuracy

EQUIVALENT = [["tanh", "relu", "sigmoid"], ["AveragePooling2D", "MaxPooling2D"], ["same", "valid"], ["softmax", "linear"]]
BASE = dict(threshold=0.85, bands=[[0.80, 0.5]])


def _check(make, models, sid="desafio-3", **params):
    reference = make.notebook(make.section("desafio-3", [make.model(make.lenet_layers(), names=("lenet5",))]))
    student = make.notebook(make.section(sid, models))
    return check_accuracy(student, reference, make.spec("accuracy", sid, **{**BASE, **params}))


@pytest.mark.parametrize("accuracy, expected", [(0.9, (1.0, None)), (0.82, (0.5, 0.8)), (0.5, (0.0, None))])
def test_score_accuracy(accuracy, expected):
    assert score_accuracy(accuracy, 0.85, [[0.6, 0.25], [0.8, 0.5]]) == expected


def test_reaching_the_threshold_passes(make, render):
    outcome = _check(make, [make.model(make.lenet_layers(), accuracy=0.8734)], reference_model="lenet5")
    assert outcome.status == "passed"
    assert (outcome.expected, outcome.actual) == (0.85, 0.8734)
    assert render(outcome, "pt") == (
        "Acurácia de 87,3% no conjunto de teste, medida pelo corretor (mínimo para a nota cheia: 85%)."
    )
    assert render(outcome, "en") == "Accuracy of 87.3% on the test set, measured by the grader (full credit from 85%)."


def test_band_gives_partial_credit(make, render):
    outcome = _check(make, [make.model(make.lenet_layers(), accuracy=0.81)], reference_model="lenet5")
    assert (outcome.status, outcome.fraction) == ("partial", 0.5)
    assert "acima de 80%" in render(outcome, "pt")


def test_below_every_band_fails(make, render):
    outcome = _check(make, [make.model(make.lenet_layers(), accuracy=0.42)], reference_model="lenet5")
    assert outcome.status == "failed"
    assert render(outcome, "pt").startswith("Acurácia de 42,0% no conjunto de teste, abaixo do mínimo de 85%.")


def test_model_without_evaluation_fails_with_the_reason(make, render):
    untrained = make.model(make.lenet_layers(), has_weights=False)
    outcome = _check(make, [untrained], reference_model="lenet5")
    assert (outcome.status, outcome.message) == ("failed", "accuracy.untrained")
    assert "não foi treinado/exportado" in render(outcome, "pt")
    incompatible = _check(make, [make.model(make.lenet_layers())], reference_model="lenet5")
    assert incompatible.message == "accuracy.not_evaluated"


def test_require_structure_ignores_other_architectures(make):
    outcome = _check(make, [make.dense_model(accuracy=0.89)], reference_model="lenet5", require_structure=0.6, equivalent=EQUIVALENT)
    assert outcome.message == "model.wrong_structure"


def test_contains_picks_the_best_model_with_those_layers(make):
    plain = make.model(make.lenet_layers(), order=0, accuracy=0.95, section="bonus")
    regular = make.lenet_layers() + [make.layer("BatchNormalization", (10,), 40), make.layer("Dropout", (10,))]
    weaker = make.model(regular, order=1, accuracy=0.83, section="bonus")
    stronger = make.model(regular, order=2, accuracy=0.86, section="bonus")
    outcome = _check(make, [plain, weaker, stronger], sid="bonus", contains=["BatchNormalization", "Dropout"])
    assert (outcome.status, outcome.actual) == ("passed", 0.86)
    missing = _check(make, [plain], sid="bonus", contains=["BatchNormalization", "Dropout"])
    assert missing.message == "accuracy.no_matching_model"


def test_without_reference_or_contains_the_best_evaluated_model_counts(make):
    models = [make.dense_model(order=0, accuracy=0.84), make.dense_model(order=1), make.dense_model(order=2, accuracy=0.8)]
    assert _check(make, models).actual == 0.84
