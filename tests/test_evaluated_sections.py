"""Only the models an accuracy-reading check may pick are evaluated on the test set."""

from __future__ import annotations

import dataclasses

from grader.assignments import load
from grader.grade import execution_key
from grader.spec import CheckSpec


def test_sections_checked_only_by_counts_and_shapes_are_not_evaluated():
    spec, _ = load("cnn-pratica")
    # desafio-1 and desafio-2 count parameters and read shapes; desafio-3 and the bonus measure accuracy
    assert spec.evaluated_sections() == ("desafio-3", "bonus-bn-dropout")


def test_an_assignment_without_a_dataset_check_evaluates_nothing():
    spec, _ = load("relu-exercicios")
    assert spec.evaluated_sections() == ()


def test_adding_an_accuracy_check_to_a_section_executes_again():
    """Facts stored without that section's evaluations must not be reused for the new check."""
    spec, _ = load("cnn-pratica")
    accuracy = next(c for c in spec.checks if c.kind == "accuracy")
    moved = dataclasses.replace(accuracy, id="d1-acuracia", section="desafio-1")
    assert isinstance(moved, CheckSpec)
    changed = dataclasses.replace(spec, checks=spec.checks + (moved,))
    assert "desafio-1" in changed.evaluated_sections()
    assert execution_key(changed) != execution_key(spec)


def test_changing_points_keeps_the_stored_facts():
    spec, _ = load("cnn-pratica")
    cheaper = dataclasses.replace(spec, checks=tuple(dataclasses.replace(c, points=c.points / 2) for c in spec.checks))
    assert execution_key(cheaper) == execution_key(spec)
