"""``confusion_binarized``: block sums of a multi-class confusion matrix for two class groups."""

from grader.checks.confusion_binarized import binarize, check_confusion_binarized
from grader.facts import EvaluationFacts

VESTUARIO = [0, 1, 2, 3, 4, 6]
CALCADO_MALAS = [5, 7, 8, 9]

def _matrix() -> list[list[int]]:
    """A 10-class matrix of 10,000 test images: 900 right per class, the rest spread."""
    matrix = [[0] * 10 for _ in range(10)]
    for i in range(10):
        matrix[i][i] = 900
        matrix[i][(i + 1) % 10] = 60
        matrix[i][(i + 5) % 10] = 40
    return matrix

def test_binarize_sums_the_four_blocks():
    numbers = binarize(_matrix(), VESTUARIO, CALCADO_MALAS)
    assert sum(numbers.values()) == 10000
    # true Calçado/Malas predicted Calçado/Malas: 4×900 + 5→(6 no, 0 no)… computed by hand:
    # class 5: 900 (5) + 60 (→6, positive) + 40 (→0, positive); 7: 900 + 60 (→8) + 40 (→2, positive);
    # 8: 900 + 60 (→9) + 40 (→3); 9: 900 + 60 (→0) + 40 (→4)
    assert numbers["TN"] == 900 * 4 + 60 + 60
    assert numbers["FP"] == 100 + 40 + 40 + 100

def _student(make, numbers, matrix=None, graders=None):
    values = dict(zip(("TN", "FP", "FN", "TP"), numbers))
    if matrix is not None:
        values["cm"] = matrix
    models = []
    if graders is not None:
        evaluation = EvaluationFacts("fashion_mnist_test", 0.9, 10000, "1/255",
                                     tuple(tuple(r) for r in graders))
        models = [make.model([make.layer("Dense", units=10)], names=("modelo",), section="parte-3",
                             evaluations=(evaluation,))]
    return make.notebook(make.section("parte-3", models=models, values=values))

def _check(make, student):
    spec = make.spec("confusion_binarized", "parte-3", positive=VESTUARIO, negative=CALCADO_MALAS,
                     matrix_variable="cm")
    return check_confusion_binarized(student, make.notebook(), spec)

def test_consistent_numbers_pass(make, render):
    matrix = _matrix()
    numbers = list(binarize(matrix, VESTUARIO, CALCADO_MALAS).values())
    outcome = _check(make, _student(make, numbers, matrix, matrix))
    assert outcome.status == "passed"
    assert "somam 10.000" in render(outcome, "pt")

def test_numbers_from_another_matrix_lose_two_thirds(make, render):
    matrix = _matrix()
    numbers = list(binarize(matrix, VESTUARIO, CALCADO_MALAS).values())
    numbers[0], numbers[1] = numbers[0] + 10, numbers[1] - 10  # still sums to 10,000
    outcome = _check(make, _student(make, numbers, matrix, matrix))
    assert outcome.status == "partial" and abs(outcome.fraction - 1 / 3) < 1e-9
    assert "própria matriz: ✗" in render(outcome, "pt") and "somam 10.000 (esperado 10.000): ✓" in render(outcome, "pt")

def test_the_graders_predictions_decide_when_the_student_matrix_is_made_up(make):
    honest = _matrix()
    made_up = [row[:] for row in honest]
    made_up[0][0], made_up[0][5] = made_up[0][0] - 50, made_up[0][5] + 50
    numbers = list(binarize(made_up, VESTUARIO, CALCADO_MALAS).values())
    outcome = _check(make, _student(make, numbers, made_up, honest))
    assert outcome.status == "partial" and outcome.details["conditions"]["grader_predictions"] is False

def test_missing_numbers_fail(make, render):
    student = make.notebook(make.section("parte-3", values={"TN": 1, "FP": 2}))
    outcome = _check(make, student)
    assert outcome.status == "failed" and "TN, FP, FN, TP" in render(outcome, "pt")


def test_the_graders_matrix_comes_from_the_section_that_trained_the_model(make):
    """The multi-class model is built in an earlier section; the numbers live in this one."""
    matrix = _matrix()
    numbers = binarize(matrix, VESTUARIO, CALCADO_MALAS)
    evaluation = EvaluationFacts("fashion_mnist_test", 0.9, 10000, "1/255", tuple(tuple(r) for r in matrix))
    model = make.model([make.layer("Dense", units=10)], names=("modelo",), section="parte-1",
                       evaluations=(evaluation,))
    student = make.notebook(make.section("parte-1", models=[model]),
                            make.section("parte-3", values={**numbers, "cm": matrix}))
    outcome = _check(make, student)
    assert outcome.status == "passed" and outcome.details["conditions"]["grader_predictions"] is True


def test_the_variables_it_reads_are_exported_from_its_section(make):
    import dataclasses
    from types import SimpleNamespace

    from grader.checks.base import default_registry
    from grader.execute import value_names

    spec = make.spec("confusion_binarized", "parte-3", positive=[0], negative=[1],
                     variables=["vn", "fp", "fn", "vp"], matrix_variable="cm")
    spec = dataclasses.replace(spec, needs=default_registry().get(spec.kind).needs(spec.params))  # as loaded
    assert value_names(SimpleNamespace(checks=[spec])) == {"parte-3": ["cm", "fn", "fp", "vn", "vp"]}


def test_numbers_from_the_trained_model_count_when_a_reloaded_one_differs(make):
    """Parte 3 reloads a checkpoint (other weights); the student used the in-memory model."""
    trained, reloaded = _matrix(), _matrix()
    reloaded[0][0], reloaded[0][5] = reloaded[0][0] - 30, reloaded[0][5] + 30
    def model(matrix, section, accuracy):
        evaluation = EvaluationFacts("fashion_mnist_test", accuracy, 10000, "1/255", tuple(tuple(r) for r in matrix))
        return make.model([make.layer("Dense", units=10)], names=("m",), section=section, evaluations=(evaluation,))
    numbers = binarize(trained, VESTUARIO, CALCADO_MALAS)
    student = make.notebook(make.section("parte-1", models=[model(trained, "parte-1", 0.88)]),
                            make.section("parte-3", models=[model(reloaded, "parte-3", 0.89)],
                                         values={**numbers, "cm": trained}))
    outcome = _check(make, student)
    assert outcome.status == "passed"
    made_up = {**numbers, "TN": numbers["TN"] + 5, "FP": numbers["FP"] - 5}
    student = make.notebook(make.section("parte-1", models=[model(trained, "parte-1", 0.88)]),
                            make.section("parte-3", models=[model(reloaded, "parte-3", 0.89)], values=made_up))
    assert _check(make, student).details["conditions"]["grader_predictions"] is False
