"""Kernels started ahead by a worker: taken by the next notebook, same facts, nothing left behind."""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import pytest

from grader.assignments import load
from grader.execute.reaper import LIVE
from grader.execute.sandbox import resolve_sandbox
from grader.execute.warm import KernelReserve
from grader.grade import GradingContext, collect_facts

pytestmark = pytest.mark.kernel
EXAMPLES = Path(__file__).resolve().parents[2] / "assignments" / "relu-exercicios" / "examples"


def _context(dataset_dir: Path) -> GradingContext:
    assignment, _ = load("relu-exercicios")
    return GradingContext(assignment, dataset_dir, None, resolve_sandbox("auto"))


def _for(context: GradingContext) -> tuple:
    return context.assignment.execution, context.sandbox, context.dataset_dir


def _comparable(facts) -> dict:
    data = facts.to_json()
    data.pop("seconds", None)
    for cell in data.get("cells", []):
        cell.pop("seconds", None)
    return data


def test_the_next_notebook_takes_the_kernel_started_ahead_and_gets_the_same_facts(dataset_dir):
    context = _context(dataset_dir)
    alone, _ = collect_facts(EXAMPLES / "01-correta.ipynb", context, use_cache=False)
    reserve = KernelReserve()
    try:
        first, _ = collect_facts(EXAMPLES / "07-contas-erradas.ipynb", context, use_cache=False, reserve=reserve)
        assert first.error is None
        [waiting] = reserve._waiting  # launched while the first notebook ran
        assert waiting.root.is_dir() and waiting.launched.pid in LIVE.pids()
        second, _ = collect_facts(EXAMPLES / "01-correta.ipynb", context, use_cache=False, reserve=reserve)
        assert not waiting.root.exists()  # the second notebook ran in it, then it was removed
        assert second.seconds > 0 and _comparable(second) == _comparable(alone)
        assert second.sections and _comparable(first) != _comparable(alone)
        assert len(reserve._waiting) == 1 and reserve._waiting[0] is not waiting
    finally:
        reserve.close()
    assert not reserve._waiting


def test_a_kernel_that_died_while_waiting_is_replaced(dataset_dir):
    context = _context(dataset_dir)
    reserve = KernelReserve()
    try:
        reserve._running = 1  # as if a notebook were running
        reserve.launch_next(*_for(context))
        [waiting] = reserve._waiting
        reserve.done()
        os.killpg(waiting.launched.pid, signal.SIGKILL)
        waiting.launched.km.provisioner.process.wait(10)
        assert reserve.take(*_for(context)) is None  # thrown away, its folder removed
        reserve.done()
        assert not waiting.root.exists() and waiting.launched.pid not in LIVE.pids()
        facts, _ = collect_facts(EXAMPLES / "01-correta.ipynb", context, use_cache=False, reserve=reserve)
        assert facts.error is None and facts.cells and all(c.status == "ok" for c in facts.cells)
    finally:
        reserve.close()


def test_a_kernel_started_for_other_settings_is_never_used(dataset_dir):
    context = _context(dataset_dir)
    reserve = KernelReserve()
    try:
        reserve._running = 1
        other_settings = dataclasses.replace(context.assignment.execution, seed=context.assignment.execution.seed + 1)
        reserve.launch_next(other_settings, context.sandbox, dataset_dir)  # another assignment's settings
        reserve.done()
        [other] = reserve._waiting
        assert reserve.take(*_for(context)) is None
        reserve.done()
        assert not reserve._waiting and not other.root.exists()
    finally:
        reserve.close()


def test_an_idle_worker_keeps_one_kernel_ready_for_its_first_notebook(dataset_dir):
    """A server's worker that has graded nothing yet: its first notebook only connects."""
    context = _context(dataset_dir)
    reserve = KernelReserve()
    try:
        reserve.launch_next(*_for(context))
        assert reserve._waiting == []  # no notebook running: launch_next starts nothing
        reserve.launch_ahead(*_for(context))
        reserve.launch_ahead(*_for(context))  # one is enough
        [waiting] = reserve._waiting
        facts, _ = collect_facts(EXAMPLES / "01-correta.ipynb", context, use_cache=False, reserve=reserve)
        assert facts.error is None and not waiting.root.exists()  # it ran in the kernel started ahead
    finally:
        reserve.close()
