"""``decreasing``: a loss history that really went down."""

import pytest

from grader.checks.decreasing import check_decreasing


def _check(make, value, **params):
    student = make.notebook(make.section("parte-4", values={"perdas": value} if value is not None else {}))
    return check_decreasing(student, make.notebook(), make.spec("decreasing", "parte-4", variable="perdas", **params))


def test_a_falling_loss_passes(make, render):
    outcome = _check(make, [0.69, 0.5, 0.2, 0.05])
    assert outcome.status == "passed" and "0,69 para 0,05" in render(outcome, "pt")


@pytest.mark.parametrize("value", [[0.69, 0.69, 0.69], [0.69, 0.6, 0.5], [0.2, 0.9]])
def test_a_flat_slow_or_rising_loss_fails(make, render, value):
    outcome = _check(make, value)
    assert outcome.status == "failed" and "no máximo 50%" in render(outcome, "pt")


def test_the_ratio_is_configurable(make):
    assert _check(make, [0.69, 0.6, 0.5], max_ratio=0.8).status == "passed"


@pytest.mark.parametrize("value", [None, [], [0.5], "0.5, 0.1", [0.5, float("nan")], [0.5, True]])
def test_anything_but_a_list_of_numbers_is_missing(make, render, value):
    outcome = _check(make, value)
    assert outcome.status == "failed" and "perdas" in render(outcome, "pt")
