"""``value``: a variable equals a literal or the reference's value."""

from grader.checks.value import check_value, first_difference


def _check(make, values, reference_values=None, **params):
    student = make.notebook(make.section("desafio-2", values=values))
    reference = make.notebook(make.section("desafio-2", values=reference_values or {}))
    return check_value(student, reference, make.spec("value", "desafio-2", **params))


def test_numbers_within_tolerance_pass(make, render):
    outcome = _check(make, {"acc": 0.8500000001}, variable="acc", expected=0.85)
    assert outcome.status == "passed"
    assert render(outcome, "pt") == "“acc” tem o valor esperado."


def test_different_number_fails(make, render):
    verdict = _check(make, {"total": 12345}, variable=["total", "n_params"], expected=61706)
    assert render(verdict, "pt") == "“total” vale 12.345, mas esse não é o valor esperado."  # the default
    outcome = _check(make, {"total": 12345}, variable=["total", "n_params"], expected=61706, reveal="expected")
    assert outcome.status == "failed"
    assert render(outcome, "pt") == "“total” vale 12.345, mas o esperado era 61.706."
    assert render(outcome, "en") == "“total” is 12,345, but 61,706 was expected."


def test_tolerances_are_parameters(make):
    assert _check(make, {"x": 1.05}, variable="x", expected=1.0, rel_tol=0.1).status == "passed"
    assert _check(make, {"x": 1.05}, variable="x", expected=1.0).status == "failed"


def test_arrays_compare_element_wise_with_equal_shape(make, render):
    cm = [[10, 2], [3, 85]]
    assert _check(make, {"cm": cm}, variable="cm", expected=cm).status == "passed"
    wrong = _check(make, {"cm": [[10, 2], [4, 85]]}, variable="cm", expected=cm, reveal="expected")
    assert render(wrong, "pt") == "“cm” difere do esperado na posição [1][0]: 4 em vez de 3."
    hidden = _check(make, {"cm": [[10, 2], [4, 85]]}, variable="cm", expected=cm)
    assert render(hidden, "pt") == "“cm” difere do esperado na posição [1][0] (lá vale 4)."
    shape = _check(make, {"cm": [10, 2, 3, 85]}, variable="cm", expected=cm, reveal="expected")
    assert shape.message == "value.shape_mismatch"
    assert render(shape, "en") == "“cm” has shape [4], but [2, 2] was expected."


def test_strings_ignore_case_spaces_and_accents(make):
    assert _check(make, {"r": "  Não  "}, variable="r", expected="nao").status == "passed"
    assert _check(make, {"r": "0,85"}, variable="r", expected=0.85).status == "passed"


def test_reference_variable_is_looked_up_in_the_reference(make):
    outcome = _check(make, {"tp": 90}, {"tp_ref": 90}, variable="tp", reference_variable="tp_ref")
    assert outcome.status == "passed"
    missing = _check(make, {"tp": 90}, {}, variable="tp", reference_variable="tp_ref")
    assert (missing.status, missing.message) == ("error", "value.reference_missing")


def test_missing_variable_fails(make, render):
    outcome = _check(make, {}, variable=["tp", "TP"], expected=1)
    assert render(outcome, "pt") == "Variável não encontrada: tp / TP. Use o nome pedido no enunciado."


def test_first_difference_handles_nested_dicts():
    assert first_difference({"a": [1, 2]}, {"a": [1, 3]}, 1e-6, 1e-9) == ("['a'][1]", 2, 3)
    assert first_difference(True, 1, 1e-6, 1e-9) is not None
