"""Learning curves a student reads at a glance: axes within what a metric can be, a lone epoch labelled."""

from __future__ import annotations

import dataclasses
import re

from grader.messages import load_catalogue
from grader.report import render_submission_report
from grader.report.plots import axis_range, learning_curves
from tests.report.test_student_report import assignment, graded, visible_text  # noqa: F401 (fixture)


def ticks(svg: str) -> list[str]:
    return re.findall(r'class="tick"[^>]*>([^<]*)<', svg)


def test_a_one_epoch_history_is_a_labelled_dot_on_bounded_axes():
    cat = load_catalogue("pt")
    loss, accuracy = learning_curves({"loss": [0.62], "accuracy": [0.91]}, cat)
    assert accuracy.count("<circle") == 1 and 'class="tick point-label"' in accuracy
    assert re.search(r'point-label"[^>]*>0,91<', accuracy)  # the dot says its value
    assert "1,41" not in accuracy and "1,15" not in accuracy and ticks(accuracy)[0] == "1"  # never above 100%
    assert "-" not in "".join(ticks(loss)[:2])  # a loss is never negative
    assert ticks(accuracy).count("1") == 2  # the top of the axis, one epoch label (not "1 … 1")


def test_the_axes_follow_the_values_within_the_metrics_bounds():
    assert axis_range([0.9], (0.0, 1.0)) == (0.4, 1.0)
    assert axis_range([0.3], (0.0, None)) == (0.0, 0.8)
    assert axis_range([0.5, 0.7], (0.0, 1.0)) == (0.5, 0.7)
    assert axis_range([-0.2, 0.4], (0.0, None)) == (-0.2, 0.4)  # values outside the bounds stay visible


def test_the_heading_says_one_epoch_in_the_singular(assignment):  # noqa: F811
    result, facts, reference = graded(assignment)
    lenet = facts.sections[1].models[0]
    one = dataclasses.replace(lenet, history={"loss": (0.6,), "accuracy": (0.8,)})
    facts = dataclasses.replace(facts, sections=(facts.sections[0], dataclasses.replace(facts.sections[1], models=(one,)),
                                                 facts.sections[2]))
    for lang, words in (("pt", "1 época"), ("en", "1 epoch")):
        text = visible_text(render_submission_report(result, assignment, load_catalogue(lang), facts, reference))
        assert f"{words} " in text and f"{words}s" not in text


def test_plural_forms_come_in_pairs():
    for lang in ("pt", "en"):
        messages = load_catalogue(lang).messages
        ones = {k.removesuffix(".one") for k in messages if k.endswith(".one")}
        assert ones and all(f"{k}.other" in messages for k in ones)
        assert load_catalogue(lang)("report.curve_epochs", count=3).startswith("3 ")
