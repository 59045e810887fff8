"""The inspector interface: one per framework, registered by name as check kinds are.

An inspector says what it sends to the kernel (its harvest code, run after the harness, and
which names in a notebook's code mean the framework is used, so its modules are imported
ahead in the prelude), what its judge runs (a module copied into the judge's folder), and how a taken harvest's
model entry becomes :class:`~grader.facts.ModelFacts` (with accuracy measured by the one
evaluation loop of :mod:`grader.inspect.evaluate`). Execution, checks and reports never
ask which framework a model was written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader.execute import KernelCode
from grader.facts import ModelFacts
from grader.inspect.judge import Judge


@dataclass(frozen=True)
class InspectContext:
    """What inspecting one model entry needs besides the entry and its folder."""

    evaluations: tuple = ()  # EvaluationSpec of the datasets to measure accuracy on
    splits: dict[str, Any] = field(default_factory=dict)  # dataset name -> Split
    max_export_params: int | None = None
    judge: Judge | None = None


@dataclass(frozen=True)
class Inspector:
    """One framework: its kernel code, its judge code and how it reads an exported model.

    ``inspect(entry, section, directory, context, created_cell) -> ModelFacts``: one model entry
    of a taken harvest (its files in ``directory``), described and evaluated; a model that
    cannot be read is facts with ``load_error``, never an exception.
    """

    framework: str
    inspect: Callable[[dict, str, Path, InspectContext, int | None], ModelFacts]
    kernel_code: tuple[Path, ...] = ()  # each defines install(harness, side), installed in the order registered
    # a regular expression: a code cell it matches uses the framework; such a notebook gets
    # ``imports_ahead`` imported in the prelude (their seconds do not count against its first cell)
    names: str = ""
    imports_ahead: tuple[str, ...] = ()
    # the names its harvest writes in a model folder (the take step refuses any other), and the
    # JSON descriptions among them (capped like a manifest)
    model_files: tuple[str, ...] = ()
    description_files: tuple[str, ...] = ()
    judge_code: Path | None = None  # copied as judge_<framework>.py next to the judge: load(), predict()
    units_code: Path | None = None  # the judge's units of training code, copied as judge_<framework>_units.py
    # True when the framework can be imported here: a missing optional extra (torch) is no error
    available: Callable[[], bool] = lambda: True


_INSPECTORS: dict[str, Inspector] = {}


def register_inspector(inspector: Inspector) -> Inspector:
    """Add (or replace) the inspector of ``inspector.framework``."""
    _INSPECTORS[inspector.framework] = inspector
    return inspector


def inspector_for(framework: str) -> Inspector | None:
    return _INSPECTORS.get(framework)


def inspectors() -> tuple[Inspector, ...]:
    return tuple(_INSPECTORS.values())


def harvest_code() -> tuple[KernelCode, ...]:
    """The kernel code of every available inspector, for the prelude, in the order they registered."""
    return tuple(KernelCode(i.framework, tuple(path.read_text(encoding="utf-8") for path in i.kernel_code),
                            i.names, i.imports_ahead, i.model_files, i.description_files)
                 for i in inspectors() if i.available() and i.kernel_code)


def judge_files() -> dict[str, Path]:
    """The judge code of every inspector that has one: file name in the judge's folder -> source."""
    files = {f"judge_{i.framework}.py": i.judge_code for i in inspectors() if i.judge_code is not None}
    return files | {f"judge_{i.framework}_units.py": i.units_code for i in inspectors() if i.units_code is not None}
