"""``confusion_binarized``: the student's TN/FP/FN/TP are the binarization of a confusion matrix.

A multi-class confusion matrix M (rows: true class, columns: predicted) is reduced to two
groups, ``positive`` and ``negative`` (lists of class indices). TP sums M over true and
predicted positive, TN over true and predicted negative, FP over true negative predicted
positive, FN over true positive predicted negative. Three things are checked, a third of
the points each: the four numbers equal the binarization of the student's own matrix,
equal the binarization of the grader's own predictions of one of the student's exported
models (a model reloaded from a checkpoint counts as well as the one trained in memory),
and add up to the test-set size.
"""

from __future__ import annotations

from typing import Any, Sequence

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.structure import as_names
from grader.facts import ModelFacts, NotebookFacts
from grader.spec import CheckSpec

NAMES = ("TN", "FP", "FN", "TP")


def binarize(matrix: Sequence[Sequence[float]], positive: Sequence[int], negative: Sequence[int]) -> dict[str, int]:
    """TN, FP, FN, TP of ``matrix`` for the given class groups."""
    def block(rows: Sequence[int], cols: Sequence[int]) -> int:
        return int(sum(matrix[i][j] for i in rows for j in cols))

    return {"TN": block(negative, negative), "FP": block(negative, positive),
            "FN": block(positive, negative), "TP": block(positive, positive)}


def _student_numbers(values: dict[str, Any], names: Sequence[str]) -> dict[str, float] | None:
    found = {}
    for key, name in zip(NAMES, names):
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        found[key] = value
    return found


def _is_matrix(value: Any, size: int) -> bool:
    return (isinstance(value, list) and len(value) == size
            and all(isinstance(row, list) and len(row) == size for row in value))


def _graders_matrices(models: Sequence[ModelFacts], dataset: str, size: int) -> list:
    """The grader's confusion matrices of the models, best accuracy first."""
    evaluated = [m for m in models if (e := m.evaluation(dataset)) and e.confusion and len(e.confusion) == size]
    evaluated.sort(key=lambda m: (m.evaluation(dataset).accuracy, m.order), reverse=True)
    return [m.evaluation(dataset).confusion for m in evaluated]


@check_kind(
    "confusion_binarized",
    required=("positive", "negative"),
    optional=("variables", "matrix_variable", "dataset", "total"),
    dataset_param="dataset", variable_params=("variables", "matrix_variable"), states_expected=True, kit=True,
)
def check_confusion_binarized(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """A third of the points per condition: own matrix, grader's predictions, total."""
    positive, negative = list(check.param("positive")), list(check.param("negative"))
    names = list(check.param("variables", NAMES))
    section = student.section(check.section)
    values = section.values if section else {}
    numbers = _student_numbers(values, names)
    if numbers is None:
        return failed("confusion_binarized.missing", params={"variables": ", ".join(names)})
    size = len(positive) + len(negative)
    total = int(check.param("total", 10000))
    conditions: dict[str, bool | None] = {"total": sum(numbers.values()) == total}
    matrix_names = as_names(check.param("matrix_variable", ()))
    own = next((values[n] for n in matrix_names if _is_matrix(values.get(n), size)), None)
    conditions["own_matrix"] = own is not None and binarize(own, positive, negative) == numbers
    dataset = check.param("dataset", "fashion_mnist_test")
    # The multi-class model is usually trained in an earlier section, and may have been
    # reloaded from a checkpoint since: the numbers may come from any of the student's
    # models (this section's first, then the best scoring).
    own_section = section.models if section else ()
    others = [m for s in student.sections if s.id != check.section for m in s.models]
    candidates = [binarize(m, positive, negative) for m in
                  _graders_matrices(own_section, dataset, size) + _graders_matrices(others, dataset, size)]
    expected = next((c for c in candidates if c == numbers), candidates[0] if candidates else None)
    conditions["grader_predictions"] = expected is not None and expected == numbers
    met = sum(1 for ok in conditions.values() if ok)
    mark = {True: "✓", False: "✗"}
    params = {"met": met, "total_conditions": len(conditions), "sum": sum(numbers.values()), "size": total,
              "own": mark[bool(conditions["own_matrix"])], "grader": mark[bool(conditions["grader_predictions"])],
              "sum_ok": mark[bool(conditions["total"])]}
    shown = dict(expected=expected, actual=numbers, details={"conditions": conditions,
                 "own_matrix": binarize(own, positive, negative) if own is not None else None})
    if met == len(conditions):
        return passed("confusion_binarized.passed", params=params, **shown)
    return partial(met / len(conditions), "confusion_binarized.partial", params=params, **shown)
