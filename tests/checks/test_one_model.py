"""Per section, the model checks judge one model: the one the section's first model check chooses.

Hand-made facts: a section with a trained LeNet-5 and a model holding the test images in its
weights (1.0 on the test set, a nearest neighbour's accuracy on the grader's transformed copy).
"""

from __future__ import annotations

import dataclasses

from grader.checks.accuracy import check_accuracy
from grader.checks.model_params import check_model_params
from grader.checks.model_structure import check_model_structure
from grader.checks.structure import resolve_model, select_model
from grader.facts import EvaluationFacts
from grader.spec import CheckSpec, section_model_choices

BONUS = ["BatchNormalization", "Dropout"]


def _evaluation(accuracy, transformed):
    confusion = tuple(tuple(1000 if i == j else 0 for j in range(10)) for i in range(10))
    return (EvaluationFacts("fashion_mnist_test", accuracy, 10000, "1/255", confusion, transformed_accuracy=transformed,
                            transformed_clean_accuracy=accuracy, transformed_samples=2000),)


def _spec(cid, kind, section="desafio-3", **params):
    return CheckSpec(cid, section, kind, 1.0, params=params)


def test_a_twin_that_holds_the_test_images_does_not_win_the_tie(make):
    honest = make.model(make.lenet_layers(), names=("lenet",), order=0, evaluations=_evaluation(0.88, 0.85))
    twin = make.model(make.lenet_layers(), names=("copia",), order=1, evaluations=_evaluation(1.0, 0.80))
    reference = make.model(make.lenet_layers(), names=("lenet5",))
    assert select_model([honest, twin], [reference])[0] is honest
    untrained = make.model(make.lenet_layers(), names=("nova",), order=2, evaluations=_evaluation(0.1, 0.1))
    assert select_model([honest, untrained], [reference])[0] is honest  # trained over an untrained twin, as before


def test_the_bonus_accuracy_is_measured_on_the_model_the_structure_check_judged(make):
    regular = make.lenet_layers() + [make.layer("BatchNormalization", (10,), 40), make.layer("Dropout", (10,))]
    memorizer = make.model([make.layer("Flatten", (784,)), make.layer("BatchNormalization", (784,), 3136),
                            make.layer("Dropout", (784,)), make.layer("Dense", (10000,), 7850000, units=10000),
                            make.layer("Dense", (10,), 100010, units=10)],
                           names=("busca",), section="bonus", order=0, evaluations=_evaluation(1.0, 0.83))
    honest = make.model(regular, names=("melhorada",), section="bonus", order=1, evaluations=_evaluation(0.89, 0.86))
    student = make.notebook(make.section("bonus", [memorizer, honest]))
    reference = make.notebook(make.section("bonus", [make.model(regular, names=("ref",), section="bonus")]))
    structure, accuracy = section_model_choices((
        _spec("bonus-estrutura", "model_structure", "bonus", mode="contains", layers=BONUS),
        _spec("bonus-acuracia", "accuracy", "bonus", threshold=0.85, contains=BONUS)))
    assert check_model_structure(student, reference, structure).details["student"]["names"] == ["melhorada"]
    outcome = check_accuracy(student, reference, accuracy)
    assert (outcome.status, outcome.actual, outcome.details["model"]) == ("passed", 0.89, ["melhorada"])
    # on its own (before a section's model checks shared one choice), the accuracy took the best test score
    alone = check_accuracy(student, reference, dataclasses.replace(accuracy, model_choice=None))
    assert alone.details["model"] == ["melhorada"]  # the copy's accuracy now breaks the tie there too


def test_checks_naming_different_references_judge_the_model_the_first_one_chose(make):
    """Structure looks for lenet5, parameters accept lenet5_valida too: both judge one model."""
    valid = [dataclasses.replace(x, padding="valid") if x.class_name == "Conv2D" else x for x in make.lenet_layers()]
    reference = make.notebook(make.section("desafio-3", [
        make.model(make.lenet_layers(), names=("lenet5",)), make.model(valid, names=("lenet5_valida",), order=1)]))
    same = make.model(make.lenet_layers(), names=("minha",), order=0, evaluations=_evaluation(0.88, 0.85))
    other = make.model(valid, names=("outra",), order=1, evaluations=_evaluation(0.89, 0.87))
    student = make.notebook(make.section("desafio-3", [same, other]))
    structure, params, accuracy = section_model_choices((
        _spec("estrutura", "model_structure", reference_model="lenet5"),
        _spec("params", "model_params", reference_model=["lenet5_valida"]),
        _spec("acuracia", "accuracy", reference_model="lenet5", threshold=0.85)))
    assert params.model_choice.check == "params"  # no reference model in common: it chooses on its own
    structure, params, accuracy = section_model_choices((
        _spec("estrutura", "model_structure", reference_model="lenet5"),
        _spec("params", "model_params", reference_model=["lenet5_valida", "lenet5"]),
        _spec("acuracia", "accuracy", reference_model="lenet5", threshold=0.85)))
    assert params.model_choice.check == accuracy.model_choice.check == "estrutura"
    assert resolve_model(student, reference, structure).model is same
    assert resolve_model(student, reference, params).model is same
    assert check_model_params(student, reference, params).status == "passed"
    assert check_accuracy(student, reference, accuracy).details["model"] == ["minha"]
    own = dataclasses.replace(params, params={**params.params, "own_model": True}, model_choice=None)
    assert resolve_model(student, reference, own).model is other  # two exact matches: the better on the copy


def test_a_section_asking_for_two_models_keeps_one_choice_per_model():
    mlp, cnn = section_model_choices((_spec("mlp", "model_params", "desafio-1", reference_model="modelo_mlp"),
                                      _spec("cnn", "model_params", "desafio-1", reference_model="modelo_cnn")))
    assert mlp.model_choice.check == "mlp" and cnn.model_choice.check == "cnn"


def test_an_accuracy_naming_no_model_follows_the_sections_choice(make):
    lenet = make.model(make.lenet_layers(), names=("lenet",), order=0, evaluations=_evaluation(0.86, 0.84))
    mlp = make.dense_model(names=("mlp",), order=1, evaluations=_evaluation(0.89, 0.80))
    student = make.notebook(make.section("desafio-3", [lenet, mlp]))
    reference = make.notebook(make.section("desafio-3", [make.model(make.lenet_layers(), names=("lenet5",))]))
    _, accuracy = section_model_choices((_spec("estrutura", "model_structure", reference_model="lenet5"),
                                         _spec("acuracia", "accuracy", threshold=0.85)))
    assert check_accuracy(student, reference, accuracy).details["model"] == ["lenet"]


def test_the_course_specs_share_one_choice_per_desafio():
    from pathlib import Path

    from grader.checks.base import default_registry
    from grader.spec import load_assignment

    root = Path(__file__).parents[2] / "assignments" / "cnn-pratica" / "assignment.toml"
    choices = {c.id: c.model_choice.check for c in load_assignment(root, default_registry()).checks if c.model_choice}
    assert choices["d3-params"] == choices["d3-saida"] == choices["d3-acuracia"] == "d3-estrutura"
    assert choices["bonus-acuracia"] == "bonus-bn-dropout"
    assert (choices["d1-params-mlp"], choices["d1-params-cnn"]) == ("d1-params-mlp", "d1-params-cnn")
