"""``function``: the student's function against the reference's, on visible and hidden inputs."""

import dataclasses
import json

import pytest

from grader.checks.function import check_function

VISIBLE = [[[2.3, -1.7]], [[-1.0]]]
HIDDEN = [[[123.456, -789.25]], [[[-31.5], [27.75]]]]
SECRET_TEXTS = ("123.456", "789.25", "31.5", "27.75")


def _facts(make, results, defined=True, **extra):
    calls = {"ex1-relu": {"defined": defined, "results": results, **extra}}
    return dataclasses.replace(make.notebook(make.section("exercicio-1")), calls=calls)


def _reference(make):
    return _facts(make, [{"value": [2.3, 0.0]}, {"value": [0.0]}, {"value": [123.456, 0.0]},
                         {"value": [[0.0], [27.75]]}])


def _check(make, student, reference=None):
    spec = make.spec("function", "exercicio-1", function="relu", inputs=VISIBLE, hidden_inputs=HIDDEN, arrays=True)
    spec = dataclasses.replace(spec, id="ex1-relu")
    return check_function(student, reference or _reference(make), spec)


def _leaks(outcome, render) -> list[str]:
    text = json.dumps(outcome.to_json()) + render(outcome, "pt") + render(outcome, "en")
    return [secret for secret in SECRET_TEXTS if secret in text]


def test_all_inputs_right_passes_without_showing_hidden_ones(make, render):
    outcome = _check(make, _reference(make))
    assert (outcome.status, outcome.fraction) == ("passed", 1.0)
    assert render(outcome, "pt") == ("A função relu devolveu o resultado esperado em todas as 4 entradas testadas "
                                     "(2 delas ocultas).")
    assert outcome.expected == ["[2.3, 0.0]", "[0.0]"] and not _leaks(outcome, render)


def test_hidden_failures_give_partial_credit_and_only_counts(make, render):
    student = _facts(make, [{"value": [2.3, 0.0]}, {"value": [0.0]}, {"value": [123.456, -789.25]},
                            {"error": "ValueError: shape [[-31.5], [27.75]] not supported"}])
    outcome = _check(make, student)
    assert (outcome.status, outcome.fraction) == ("partial", 0.5)
    assert "2 de 2 visíveis e 0 de 2 ocultas" in render(outcome, "pt")
    assert not _leaks(outcome, render)


def test_missing_function_fails(make, render):
    outcome = _check(make, _facts(make, [], defined=False))
    assert outcome.status == "failed" and "não foi definida" in render(outcome, "pt")


def test_an_error_on_visible_inputs_is_quoted(make, render):
    errors = [{"error": "NameError: name 'np' is not defined"}] * 4
    outcome = _check(make, _facts(make, errors))
    assert outcome.status == "failed" and "NameError: name 'np' is not defined" in render(outcome, "en")


def test_wrong_type_is_a_mismatch(make):
    student = _facts(make, [{"value": "2.3, 0"}, {"value": [0.0]}, {"value": [123.456, 0.0]},
                            {"value": [[0.0], [27.75]]}])
    outcome = _check(make, student)
    assert outcome.status == "partial" and outcome.fraction == pytest.approx(0.75)
    assert outcome.details["calls"][0]["status"] == "mismatch"


def test_function_never_called_fails_with_the_reason(make, render):
    student = dataclasses.replace(make.notebook(make.section("exercicio-1")),
                                  calls={"ex1-relu": {"defined": None, "error": "the kernel died while calling relu"}})
    outcome = _check(make, student)
    assert outcome.status == "failed" and "kernel died" in render(outcome, "en")


def test_reference_without_the_function_is_the_instructors_error(make, render):
    outcome = _check(make, _reference(make), reference=_facts(make, [], defined=False))
    assert outcome.status == "error" and "[Para o professor]" in render(outcome, "pt")
