"""A worker imports Keras while the kernel runs, only when inspection will need it."""

from __future__ import annotations

import sys

from grader import grade
from grader.assignments import load


class Started:
    def __init__(self):
        self.targets = []

    def __call__(self, target, name, daemon):
        self.targets.append((target, name, daemon))
        return self

    def start(self):
        pass


def test_an_assignment_that_grades_models_imports_keras_ahead(monkeypatch):
    started = Started()
    monkeypatch.setattr(grade.threading, "Thread", started)
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    grade.prepare_inspection(load("cnn-pratica")[0])
    assert started.targets == [(grade._import_keras, "grader-import-keras", True)]


def test_a_numpy_only_assignment_or_a_worker_that_has_keras_imports_nothing(monkeypatch):
    started = Started()
    monkeypatch.setattr(grade.threading, "Thread", started)
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    grade.prepare_inspection(load("relu-exercicios")[0])
    monkeypatch.setitem(sys.modules, "keras", object())
    grade.prepare_inspection(load("cnn-pratica")[0])
    assert started.targets == []
