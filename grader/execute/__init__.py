"""Run a submission in its own kernel and collect what it exported.

Student code runs only here, inside the kernel; nothing computed in the kernel is
trusted for scoring (see :mod:`grader.inspect`).
"""

from __future__ import annotations

from pathlib import Path

from grader.execute.environment import KernelArea, prepare_area
from grader.execute.runner import ExecutionRecord, HarvestRecord, KernelCode, NotebookRunner
from grader.execute.sandbox import Sandbox, resolve_sandbox
from grader.execute.warm import KernelReserve, Reserved
from grader.notebook import Segment
from grader.spec import Assignment

__all__ = ["ExecutionRecord", "HarvestRecord", "KernelArea", "KernelCode", "Sandbox", "execute_notebook", "function_calls",
           "resolve_sandbox", "uses_models", "value_names"]


def value_names(assignment: Assignment) -> dict[str, list[str]]:
    """Variables to export per section: those its checks read (as their kinds declare)."""
    names: dict[str, set[str]] = {}
    for check in assignment.checks:
        if check.needs.variables:
            names.setdefault(check.section, set()).update(check.needs.variables)
    return {section: sorted(found) for section, found in names.items()}


def function_calls(assignment: Assignment) -> list[dict]:
    """What ``function`` checks ask the kernel to call: visible inputs first, then hidden ones."""
    calls = []
    for check in assignment.checks:
        if check.kind != "function":
            continue
        inputs = list(check.param("inputs", [])) + list(check.param("hidden_inputs", []))
        calls.append({"id": check.id, "function": check.param("function"), "inputs": inputs,
                      "arrays": bool(check.param("arrays", False)), "timeout": float(check.param("timeout", 10))})
    return calls


def uses_models(assignment: Assignment) -> bool:
    """True when some check reads the notebook's (or the reference's) models, as its kind
    declares, or the models are evaluated: otherwise no inspector's harvest code is sent and the
    kernel never imports a framework for the harvest (the harness then exports no model)."""
    return any(c.needs.models for c in assignment.checks) or bool(assignment.execution.evaluations)


def execute_notebook(nb, segments: list[Segment], assignment: Assignment, area_root: Path,
                     dataset_dir: Path, sandbox: Sandbox | None = None,
                     status: Path | None = None, reserve: KernelReserve | None = None,
                     reserved: Reserved | None = None,
                     harvest_code: tuple[KernelCode, ...] = ()) -> tuple[ExecutionRecord, KernelArea]:
    """Execute ``nb`` in a fresh, confined kernel whose private folders live in ``area_root``.

    ``harvest_code``: the inspectors' kernel code, run after the harness (execution knows no framework).
    ``reserved``: a kernel launched ahead in ``area_root`` (see :mod:`grader.execute.warm`);
    ``reserve``: where to launch the next notebook's kernel while this one runs.
    """
    area = prepare_area(area_root, dataset_dir)
    runner = NotebookRunner(nb, segments, assignment.execution, area, value_names(assignment),
                            sandbox=sandbox or resolve_sandbox("auto"), dataset_dir=Path(dataset_dir),
                            calls=function_calls(assignment), models=uses_models(assignment), status=status,
                            reserve=reserve, reserved=reserved, harvest_code=harvest_code)
    return runner.run(), area
