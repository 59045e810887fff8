"""The contract every check kind follows, and the registry that finds them by name.

A check kind is a function ``(student, reference, check) -> Outcome`` decorated with
:func:`check_kind`. It is pure: it reads :class:`~grader.facts.NotebookFacts` and the
:class:`~grader.spec.CheckSpec`, and returns an :class:`Outcome` whose message is a
catalogue key (rendered in the student's language later, by :mod:`grader.scoring`).

A kind also declares what it needs (the notebook's models, their evaluation on a dataset,
kernel variables, reference models) and what it may show or who may decide it (its default
``reveal``, a student kit, ``verificar()``): the pipeline, the kit and the reports ask the
registry, never a list of kind names, so a plugin's kind is served like a built-in one.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping, TypeVar

from grader.facts import NotebookFacts
from grader.serial import JsonData
from grader.spec import DEFAULT_DATASET, REVEALS, CheckNeeds, CheckSpec

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
T = TypeVar("T")
# a declaration that depends on the check's parameters: a value, or a function of the parameters
ByParams = T | Callable[[Mapping[str, Any]], T]


def _resolved(declared: ByParams[T], params: Mapping[str, Any]) -> T:
    return declared(params) if callable(declared) else declared


@dataclass(frozen=True)
class CheckKind:
    """A registered check kind: its name, function, accepted parameters and declarations.

    The declarations (see :func:`check_kind`) default to what a kind that says nothing gets:
    its section's models exported and evaluated, no variable exported, nothing revealed
    beyond its own message's defaults, left to the instructor's run by a kit and ``verificar()``.
    """

    name: str
    function: CheckFunction
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    models: bool = True
    evaluation: bool = True
    dataset_param: str | None = None
    variable_params: tuple[str, ...] = ()
    reference_model_param: str | None = None
    reveals: ByParams[str] = "expected"
    states_expected: ByParams[bool] = False
    kit: bool = False
    live: bool = False
    measures: str | None = None
    judged: str | None = None

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

    def needs(self, params: Mapping[str, Any]) -> CheckNeeds:
        """What a check of this kind with ``params`` reads, for the spec to keep (:class:`CheckNeeds`)."""
        variables: list[str] = []
        for key in self.variable_params:
            value = params.get(key)
            variables += [value] if isinstance(value, str) else list(value or [])
        names_models = self.reference_model_param is not None and bool(params.get(self.reference_model_param))
        dataset = params.get(self.dataset_param, DEFAULT_DATASET) if self.dataset_param else None
        return CheckNeeds(models=self.models or names_models, evaluation=self.evaluation or dataset is not None,
                          dataset=dataset, variables=tuple(variables), judged=self.judged)

    def default_reveal(self, params: Mapping[str, Any]) -> str:
        """What a check of this kind shows a student when its spec sets no ``reveal``."""
        return _resolved(self.reveals, params)

    def expected_in_spec(self, params: Mapping[str, Any]) -> bool:
        """True when the expected value is written in the spec as is (a kit cannot seal it)."""
        return bool(_resolved(self.states_expected, params))


def check_kind(name: str, *, required: Iterable[str] = (), optional: Iterable[str] = (), models: bool = True,
               evaluation: bool = True, dataset_param: str | None = None, variable_params: Iterable[str] = (),
               reference_model_param: str | None = None, reveals: ByParams[str] = "expected",
               states_expected: ByParams[bool] = False, kit: bool = False, live: bool = False,
               measures: str | None = None, judged: str | None = None):
    """Mark a function as the implementation of check kind ``name``, with what it needs.

    Parameters
    ----------
    required, optional
        The spec keys a check of this kind must / may have.
    models
        It reads the notebook's (and the reference's) models: the kernel exports them. A kind
        that reads none (False) lets an assignment made only of such kinds run without Keras.
    evaluation
        It reads the grader's evaluation of its section's models on held-out data: those
        models are evaluated on every dataset the spec's checks name.
    dataset_param
        The key naming the dataset it is evaluated on (default ``fashion_mnist_test``):
        the grader evaluates the models on that dataset. Implies ``evaluation``.
    variable_params
        Keys whose values (a name or a list of names) are kernel variables exported from the
        check's section, in the student's notebook and the reference's.
    reference_model_param
        The key naming the reference models whose facts it compares with (a kit keeps those
        models, sealed unless the check reveals its expected value). A check that names one
        reads models even when ``models`` is False.
    reveals
        The default ``reveal`` ("verdict" or "expected"), or a function of the parameters giving it.
    states_expected
        Its expected value is written in the spec as is (thresholds, required layers): a kit can
        decide it only when the check reveals it. A bool or a function of the parameters.
    kit
        A student kit can decide it from sealed expected values (``grader check --kit``).
    live
        ``verificar()`` can decide it from the notebook's live objects (no saved notebook, no test set).
    measures
        What the outcome's ``actual`` measures, for reports and leaderboards: ``"accuracy"`` is
        a model's accuracy on the dataset its details name, against the ``expected`` threshold.
    judged
        The framework whose judge units it reads: the judge process runs the unit its
        parameters name on the notebook's definitions (``NotebookFacts.units``).
    """
    required, optional, variable_params = tuple(required), tuple(optional), tuple(variable_params)
    declared = {"dataset_param": dataset_param, "reference_model_param": reference_model_param,
                **{f"variable_params[{n}]": key for n, key in enumerate(variable_params)}}
    accepted = set(required) | set(optional)
    for label, key in declared.items():
        if key is not None and key not in accepted:
            raise ValueError(f"check kind '{name}': {label} '{key}' is not one of its keys")
    if not callable(reveals) and reveals not in REVEALS:
        raise ValueError(f"check kind '{name}': reveals must be one of {', '.join(REVEALS)}, got {reveals!r}")

    def mark(function: CheckFunction) -> CheckFunction:
        function.check_kind = CheckKind(  # type: ignore[attr-defined]
            name, function, required, optional, models=models, evaluation=evaluation,
            dataset_param=dataset_param, variable_params=variable_params,
            reference_model_param=reference_model_param, reveals=reveals, states_expected=states_expected,
            kit=kit, live=live, measures=measures, judged=judged)
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
    "torch_unit",
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
