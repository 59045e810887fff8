"""Run a submission in its own kernel and collect what it exported.

Student code runs only here, inside the kernel; nothing computed in the kernel is
trusted for scoring (see :mod:`grader.inspect`).
"""

from __future__ import annotations

from pathlib import Path

from grader.execute.environment import KernelArea, prepare_area
from grader.execute.runner import ExecutionRecord, HarvestRecord, NotebookRunner
from grader.execute.sandbox import Sandbox, resolve_sandbox
from grader.execute.warm import KernelReserve, Reserved
from grader.notebook import Segment
from grader.spec import Assignment

__all__ = ["ExecutionRecord", "HarvestRecord", "KernelArea", "Sandbox", "execute_notebook", "function_calls",
           "resolve_sandbox", "uses_models", "value_names"]


VARIABLE_PARAMS = ("variable", "reference_variable", "variables", "matrix_variable")


def value_names(assignment: Assignment) -> dict[str, list[str]]:
    """Variables to export per section: those any check of the section names."""
    names: dict[str, set[str]] = {}
    for check in assignment.checks:
        wanted = []
        for key in VARIABLE_PARAMS:
            value = check.param(key)
            wanted += [value] if isinstance(value, str) else list(value or [])
        if wanted:
            names.setdefault(check.section, set()).update(wanted)
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


# check kinds that read no model: an assignment made only of these never imports TensorFlow
# in the kernel (the harness then exports no model); any other kind, a plugin's included, does
MODEL_FREE_KINDS = frozenset({"executes", "value", "function", "answer_text", "decreasing"})


def uses_models(assignment: Assignment) -> bool:
    """True when some check reads the notebook's (or the reference's) Keras models."""
    return any(c.kind not in MODEL_FREE_KINDS or (c.kind == "answer_text" and c.param("numbers_from_models"))
               for c in assignment.checks) or bool(assignment.execution.evaluations)


def execute_notebook(nb, segments: list[Segment], assignment: Assignment, area_root: Path,
                     dataset_dir: Path, sandbox: Sandbox | None = None,
                     status: Path | None = None, reserve: KernelReserve | None = None,
                     reserved: Reserved | None = None) -> tuple[ExecutionRecord, KernelArea]:
    """Execute ``nb`` in a fresh, confined kernel whose private folders live in ``area_root``.

    ``reserved``: a kernel launched ahead in ``area_root`` (see :mod:`grader.execute.warm`);
    ``reserve``: where to launch the next notebook's kernel while this one runs.
    """
    area = prepare_area(area_root, dataset_dir)
    runner = NotebookRunner(nb, segments, assignment.execution, area, value_names(assignment),
                            sandbox=sandbox or resolve_sandbox("auto"), dataset_dir=Path(dataset_dir),
                            calls=function_calls(assignment), keras=uses_models(assignment), status=status,
                            reserve=reserve, reserved=reserved)
    return runner.run(), area
