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


# ---------------------------------------------------------------- plausibility
def _evaluation(accuracy, transformed=None, untouched=None, classes=10):
    """An evaluation with a ``classes``-wide confusion matrix and, optionally, the transformed copy's numbers."""
    from grader.facts import EvaluationFacts

    confusion = tuple(tuple(1000 if i == j else 0 for j in range(classes)) for i in range(classes))
    return EvaluationFacts("fashion_mnist_test", accuracy, 10000, "1/255", confusion, transformed_accuracy=transformed,
                           transformed_clean_accuracy=untouched, transformed_samples=2000 if transformed else 0)


def _judged(make, student_evaluation, reference_evaluation=None, **params):
    lenet = make.model(make.lenet_layers(), names=("lenet5",),
                       evaluations=(reference_evaluation,) if reference_evaluation else ())
    reference = make.notebook(make.section("desafio-3", [lenet]))
    student = make.notebook(make.section("desafio-3", [make.model(make.lenet_layers(),
                                                                  evaluations=(student_evaluation,))]))
    return check_accuracy(student, reference, make.spec("accuracy", **{**BASE, "reference_model": "lenet5", **params}))


def test_an_accuracy_above_the_architectures_ceiling_goes_to_review_with_both_numbers(make, render):
    """A model whose weights hold the test images: 1.0 on them, a nearest neighbour's 0.83 on the copy."""
    outcome = _judged(make, _evaluation(1.0, 0.83, 1.0), _evaluation(0.87, 0.83, 0.87))
    assert (outcome.status, outcome.fraction, outcome.message) == ("review", 0.0, "accuracy.implausible_ceiling")
    assert outcome.details["fraction_if_plausible"] == 1.0 and outcome.actual == 1.0
    text = render(outcome, "pt")
    assert text.startswith("Desempenho implausível: acurácia de 100,0% no conjunto de teste")
    assert "83,0%" in text and "até 95%" in text and "pendentes" in text
    assert "83.0%" in render(outcome, "en")


def test_a_collapse_on_the_copy_beyond_the_references_drop_goes_to_review(make, render):
    """0.91 on the test set but 0.75 on the copy (drop 0.16), where the reference LeNet-5 drops 0.04."""
    outcome = _judged(make, _evaluation(0.91, 0.75, 0.91), _evaluation(0.87, 0.83, 0.87))
    assert (outcome.status, outcome.fraction, outcome.message) == ("review", 0.0, "accuracy.implausible_drop")
    assert outcome.details["implausible"]["max_drop"] == pytest.approx(0.09)
    assert "91,0%" in render(outcome, "pt") and "75,0%" in render(outcome, "pt")


def test_an_honest_model_losing_a_little_more_than_the_reference_passes(make):
    outcome = _judged(make, _evaluation(0.89, 0.81, 0.89), _evaluation(0.87, 0.83, 0.87))  # 0.08 against 0.04
    assert outcome.status == "passed" and outcome.details["transformed_accuracy"] == 0.81


def test_without_the_references_drop_the_default_limit_holds(make):
    assert _judged(make, _evaluation(0.88, 0.77, 0.88)).status == "passed"  # 0.11
    assert _judged(make, _evaluation(0.95, 0.80, 0.95)).message == "accuracy.implausible_drop"  # 0.15, errors ×4


def test_an_honest_mlp_that_loses_much_on_the_copy_but_keeps_its_errors_in_proportion_passes(make):
    """mlp-multiclasse-binaria's 02 example (an MLP is not shift-invariant): 0.863 -> 0.742, errors ×1.9.

    Its drop passed the default limit, so the kit (which has no reference drop) put it in review
    where the full run did not, depending on the copy's random moves.
    """
    assert _judged(make, _evaluation(0.8639, 0.742, 0.863)).status == "passed"
    assert _judged(make, _evaluation(0.88, 0.74, 0.88)).status == "passed"


def test_the_spec_sets_the_ceiling_and_the_largest_drop(make):
    assert _judged(make, _evaluation(0.93, 0.9, 0.93), ceiling=0.92).message == "accuracy.implausible_ceiling"
    assert _judged(make, _evaluation(0.99, 0.98, 0.99), ceiling=1.0).status == "passed"
    assert _judged(make, _evaluation(0.88, 0.8, 0.88), max_drop=0.05).status == "review"


def test_a_two_group_dataset_has_its_own_ceiling(make):
    assert _judged(make, _evaluation(0.995, 0.99, 0.995, classes=2)).status == "passed"
    assert _judged(make, _evaluation(1.0, 0.99, 1.0, classes=2)).status == "review"


def test_no_points_at_stake_no_review(make):
    assert _judged(make, _evaluation(0.5, 0.2, 0.5)).status == "failed"


def test_an_evaluation_without_the_copy_is_judged_by_the_ceiling_only(make, render):
    outcome = _judged(make, _evaluation(0.99))
    assert outcome.message == "accuracy.implausible_ceiling_only" and "99,0%" in render(outcome, "pt")
    assert _judged(make, _evaluation(0.9)).status == "passed"
