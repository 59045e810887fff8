"""The contract every check kind follows, and the registry that finds them by name.

A check kind is a function ``(student, reference, check) -> Outcome`` decorated with
:func:`check_kind`. It is pure: it reads :class:`~grader.facts.NotebookFacts` and the
:class:`~grader.spec.CheckSpec`, and returns an :class:`Outcome` whose message is a
catalogue key (rendered in the student's language later, by :mod:`grader.scoring`).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

from grader.facts import NotebookFacts
from grader.serial import JsonData
from grader.spec import CheckSpec

log = logging.getLogger(__name__)

STATUSES = ("passed", "failed", "partial", "error", "review", "skipped")
ENTRY_POINT_GROUP = "grader.checks"


@dataclass(frozen=True)
class Outcome(JsonData):
    """What a check found: a status, the fraction of its points earned, and why."""

    status: str
    fraction: float
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    actual: Any = None
    details: Any = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"fraction must be within [0, 1], got {self.fraction}")


def passed(message: str, **kw: Any) -> Outcome:
    return Outcome("passed", 1.0, message, **kw)


def failed(message: str, **kw: Any) -> Outcome:
    return Outcome("failed", 0.0, message, **kw)


def partial(fraction: float, message: str, **kw: Any) -> Outcome:
    if fraction >= 1.0:
        return Outcome("passed", 1.0, message, **kw)
    if fraction <= 0.0:
        return Outcome("failed", 0.0, message, **kw)
    return Outcome("partial", fraction, message, **kw)


CheckFunction = Callable[[NotebookFacts, NotebookFacts, CheckSpec], Outcome]


@dataclass(frozen=True)
class CheckKind:
    """A registered check kind: its name, function and accepted parameters."""

    name: str
    function: CheckFunction
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def validate(self, params: dict[str, Any]) -> str | None:
        """Return a problem with ``params`` (missing or unknown key), or None."""
        for key in self.required:
            if key not in params:
                return f"kind '{self.name}' needs key '{key}'"
        allowed = set(self.required) | set(self.optional)
        for key in params:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                return f"unknown key '{key}' for kind '{self.name}'{hint}"
        return None


def check_kind(name: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()):
    """Mark a function as the implementation of check kind ``name``."""

    def mark(function: CheckFunction) -> CheckFunction:
        function.check_kind = CheckKind(name, function, tuple(required), tuple(optional))  # type: ignore[attr-defined]
        return function

    return mark


class Registry:
    """Check kinds by name: built-ins, entry points, and an assignment's ``checks.py``."""

    def __init__(self) -> None:
        self._kinds: dict[str, CheckKind] = {}

    def add_module(self, module: ModuleType) -> None:
        for value in vars(module).values():
            kind = getattr(value, "check_kind", None)
            if isinstance(kind, CheckKind):
                self._kinds[kind.name] = kind

    def add_file(self, path: Path) -> None:
        """Register the check kinds of an assignment's own ``checks.py``."""
        spec = importlib.util.spec_from_file_location(f"grader_assignment_checks_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        self.add_module(module)

    def add_entry_points(self) -> None:
        for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            try:
                self.add_module(entry.load())
            except Exception as exc:  # a broken plugin must not stop grading
                log.warning("check plugin %s could not be loaded: %s", entry.name, exc)

    def __contains__(self, name: str) -> bool:
        return name in self._kinds

    def get(self, name: str) -> CheckKind:
        return self._kinds[name]

    def names(self) -> list[str]:
        return sorted(self._kinds)


BUILTIN_MODULES = (
    "executes",
    "model_params",
    "model_structure",
    "output_shape",
    "accuracy",
    "value",
    "answer_text",
    "function",
    "confusion_binarized",
    "compile_config",
    "callbacks",
    "decreasing",
)


def default_registry(assignment_dir: Path | None = None) -> Registry:
    """The built-in kinds, installed plugins, and the assignment's ``checks.py`` if any."""
    registry = Registry()
    for name in BUILTIN_MODULES:
        registry.add_module(importlib.import_module(f"grader.checks.{name}"))
    registry.add_entry_points()
    if assignment_dir is not None and (Path(assignment_dir) / "checks.py").is_file():
        registry.add_file(Path(assignment_dir) / "checks.py")
    return registry
