"""An assignment's own check kinds, as a teacher writes them beside ``assignment.toml``.

Each declares what it needs: the grader exports, evaluates and reports by these declarations.
"""

from grader.checks.base import check_kind, failed, passed

DEFAULT_DATASET = "fashion_mnist_test"


@check_kind("meta_de_acuracia", required=("variable",), optional=("dataset",), variable_params=("variable",),
            dataset_param="dataset", measures="accuracy", kit=True)
def check_meta_de_acuracia(student, reference, check):
    """The section's model, evaluated by the grader, reaches the accuracy the student set out to reach."""
    name, dataset = check.param("variable"), check.param("dataset", DEFAULT_DATASET)
    section = student.section(check.section)
    goal = section.values.get(name) if section else None
    if not isinstance(goal, (int, float)):
        return failed("value.missing", params={"variable": name})
    evaluated = [m for m in student.models_of(check.section) if m.evaluation(dataset)]
    if not evaluated:
        return failed("accuracy.untrained", params={"threshold": goal}, expected=goal)
    model = evaluated[-1]
    accuracy = model.evaluation(dataset).accuracy
    params = {"accuracy": accuracy, "threshold": goal}
    shown = {"expected": goal, "actual": accuracy, "details": {"dataset": dataset, "model": list(model.names)}}
    return (passed if accuracy >= goal else failed)("accuracy.passed" if accuracy >= goal else "accuracy.failed",
                                                   params=params, **shown)


@check_kind("sem_declaracao", optional=("variable",))
def check_sem_declaracao(student, reference, check):
    """Declares nothing: read as a kind that may need models and their evaluation, and no variable."""
    return passed("answer_text.passed")


@check_kind("so_texto", optional=("answer",), models=False, evaluation=False, kit=True, live=True,
            states_expected=True)
def check_so_texto(student, reference, check):
    """Reads no model: an assignment of such checks never imports Keras in the kernel."""
    return passed("answer_text.passed")
