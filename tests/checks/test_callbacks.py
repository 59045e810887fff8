"""``callbacks``: the callbacks ``fit`` used in the section, and their settings."""

import pytest

from grader.checks.callbacks import check_callbacks
from grader.facts import CallbackFacts

REQUIRE = [{"class": "ModelCheckpoint", "monitor": "val_loss", "save_best_only": True},
           {"class": "EarlyStopping", "monitor": "val_loss"}]


def _cb(name, used=True, classes=None, **attributes):
    return CallbackFacts(name, tuple(classes or (name, "MonitorCallback", "Callback")), used, attributes)


CHECKPOINT = _cb("ModelCheckpoint", monitor="val_loss", save_best_only=True, filepath="melhor.keras")
EARLY = _cb("EarlyStopping", monitor="val_loss", patience=3, restore_best_weights=True)


def _check(make, *callbacks, require=REQUIRE):
    student = make.notebook(make.section("parte-1", callbacks=callbacks))
    return check_callbacks(student, make.notebook(), make.spec("callbacks", "parte-1", require=require))


def test_both_callbacks_used_and_configured_pass(make, render):
    outcome = _check(make, EARLY, CHECKPOINT)
    assert outcome.status == "passed"
    assert "ModelCheckpoint, EarlyStopping" in render(outcome, "pt")


def test_a_wrong_setting_costs_that_callback(make, render):
    outcome = _check(make, EARLY, _cb("ModelCheckpoint", monitor="val_loss", save_best_only=False))
    assert outcome.status == "partial" and outcome.fraction == pytest.approx(0.5)
    assert "ModelCheckpoint (save_best_only: false ≠ true)" in render(outcome, "pt")


def test_a_callback_never_passed_to_fit_does_not_count(make, render):
    outcome = _check(make, CHECKPOINT, _cb("EarlyStopping", used=False, monitor="val_loss"))
    assert outcome.status == "partial"
    assert "não passados ao fit: EarlyStopping" in render(outcome, "pt")


def test_missing_callbacks_fail(make, render):
    outcome = _check(make)
    assert outcome.status == "failed" and "Não encontrados: ModelCheckpoint, EarlyStopping" in render(outcome, "pt")


def test_a_subclass_counts_as_its_keras_class(make):
    mine = _cb("MeuEarlyStopping", classes=("EarlyStopping", "MonitorCallback", "Callback"), monitor="val_loss")
    assert _check(make, mine, require=[{"class": "EarlyStopping", "monitor": "val_loss"}]).status == "passed"


def test_the_closest_of_several_used_callbacks_is_reported(make):
    outcome = _check(make, _cb("EarlyStopping", monitor="loss"), EARLY, require=[REQUIRE[1]])
    assert outcome.status == "passed"


def test_a_malformed_requirement_is_a_spec_problem_for_the_teacher(make, render):
    outcome = _check(make, EARLY, require=[{"monitor": "val_loss"}])
    assert outcome.status == "error" and "[Para o professor]" in render(outcome, "pt")
