"""Parse ``assignments/<id>/assignment.toml`` once, into typed objects.

Errors name the file, the table and the key, and suggest the nearest valid name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from grader.cifar10 import Cifar10Data
from grader.datasets import SOURCES, EvaluationSpec
from grader.errors import SpecError
from grader.late import UNITS, LatePolicy
from grader.serial import JsonData
from grader.similarity_settings import KEYS as SIMILARITY_KEYS, SimilaritySettings, parse_similarity

VISIBILITIES = ("visible", "hidden", "after_due_date")
# what a visible check may show a student besides its verdict and the student's own values;
# each kind declares its default (grader.checks.base.check_kind)
REVEALS = ("verdict", "expected")
ASSIGNMENT_KEYS = ("id", "title", "notebook", "reference", "requires")
TOP_LEVEL_KEYS = ("assignment", "execution", "datasets", "sections", "checks", "late", "similarity")


@dataclass(frozen=True)
class SkipRule(JsonData):
    """One ``[[execution.skip]]`` entry: cells the grader does not execute (a full 50-epoch run, say).

    A cell is skipped when it carries ``tag`` (if given) and its source matches the regular
    expression ``pattern`` (if given: ``re.search``); ``reason`` is shown in the reports.
    """

    tag: str = ""
    pattern: str = ""
    reason: str = ""

    def matches(self, source: str, tags: Iterable[str] = ()) -> bool:
        if self.tag and self.tag not in tags:
            return False
        return not self.pattern or re.search(self.pattern, source) is not None


def skip_rule_for(source: str, tags: Iterable[str], rules: Iterable[SkipRule]) -> SkipRule | None:
    """The first of ``rules`` that skips a cell of ``source`` and ``tags``, or None (the cell runs)."""
    tags = tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, (list, tuple)) else ()
    return next((rule for rule in rules if rule.matches(source, tags)), None)


@dataclass(frozen=True)
class ExecutionSettings(JsonData):
    """How a notebook is executed; the spec's ``[execution]`` table.

    Every field is part of the cache key of the facts an execution produces.
    """

    cell_timeout: float = 300.0
    total_timeout: float = 1800.0
    seed: int = 42
    threads: int | str = 1  # or "auto": the machine's cores ÷ the notebooks run at once (resolved per run)
    max_export_params: int = 5_000_000
    startup_timeout: float = 120.0
    memory_mb: int = 6144  # address space per kernel process (and its cgroup, when available)
    max_processes: int = 512  # tasks (processes and threads) per kernel
    max_file_mb: int = 1024  # largest file a kernel may write
    # the kernel's writable space: its private /tmp (a tmpfs of this size) and, watched while it
    # runs, its working folders; a kernel over it is stopped like one that died
    max_disk_mb: int = 2048
    max_output_kb: int = 2048  # output kept per cell; the rest is dropped and marked
    cpu_seconds: int = 7200  # CPU time per kernel process
    # map common Keras 2-era names to Keras 3 inside the kernel; each use is reported
    keras2_compat: bool = False
    evaluations: tuple[EvaluationSpec, ...] = ()  # from the checks' ``dataset`` and ``[datasets.*]``
    skip: tuple[SkipRule, ...] = ()  # ``[[execution.skip]]``: cells not executed
    # the CIFAR-10 folder the kernel reads (``--cifar10-dir``, checked by grader.cifar10); not a spec key
    cifar10: Cifar10Data | None = None

    def cache_key(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SectionSpec(JsonData):
    """One graded section (a *desafio*), found by a heading regex or a cell tag."""

    id: str
    title: str
    heading: str
    bonus: bool = False

    def matches(self, heading_text: str) -> bool:
        return re.search(self.heading, heading_text) is not None


@dataclass(frozen=True)
class ModelChoice(JsonData):
    """How the model that answers a section is chosen, so that every model check of the section
    (structure, parameters, output shape, accuracy) judges the same model.

    It is the choice of the section's first choosing check (see :func:`section_model_choices`):
    the student's model closest to ``reference_model``, or, for a ``contains`` check, the one
    holding the most of ``layers``.
    """

    check: str  # the id of the check whose parameters choose
    reference_model: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    equivalent: tuple[Any, ...] = ()
    ignore: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()


DEFAULT_DATASET = "fashion_mnist_test"


@dataclass(frozen=True)
class CheckNeeds(JsonData):
    """What one check reads, as its kind declares it (:func:`grader.checks.base.check_kind`),
    resolved for the check's parameters when the spec is loaded.

    Execution and inspection read these, below the check registry. The defaults are those of
    a check no registry resolved: it may read the models and their evaluation, and no variable.
    """

    models: bool = True  # the notebook's models (the kernel exports them)
    evaluation: bool = True  # the grader's evaluation of the section's models on held-out data
    dataset: str | None = None  # the dataset the models are evaluated on for it
    variables: tuple[str, ...] = ()  # kernel variables exported from its section
    # the framework whose judge units it reads (run in the judge process on the notebook's definitions)
    judged: str | None = None


@dataclass(frozen=True)
class CheckSpec(JsonData):
    """One ``[[checks]]`` entry: its kind, points and kind-specific parameters."""

    id: str
    section: str
    kind: str
    points: float
    visibility: str = "visible"
    params: dict[str, Any] = field(default_factory=dict)
    reveal: str | None = None  # "verdict" | "expected"; the kind's default when loaded; None: "verdict"
    # the section's model choice, shared by its model checks (None: the check chooses on its own)
    model_choice: ModelChoice | None = None
    needs: CheckNeeds = CheckNeeds()

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    @property
    def reveals_expected(self) -> bool:
        """True when the student view may show this check's expected value (loaded without a
        ``reveal``: its kind's default; made by hand without one: never)."""
        return self.reveal == "expected"


@dataclass(frozen=True)
class Assignment(JsonData):
    """A parsed assignment: where its notebooks are, its sections and its checks."""

    id: str
    title: str
    root: str
    notebook: str
    reference: str
    sections: tuple[SectionSpec, ...]
    checks: tuple[CheckSpec, ...]
    execution: ExecutionSettings = ExecutionSettings()
    spec_path: str = ""
    late: LatePolicy | None = None  # the ``[late]`` table; None: no deduction for lateness
    similarity: SimilaritySettings = SimilaritySettings()  # the ``[similarity]`` table
    # the grader's optional extras it cannot be graded without (``requires = ["torch"]``)
    requires: tuple[str, ...] = ()

    @property
    def max_score(self) -> float:
        return sum(s_max for s, s_max in self.section_max_scores() if not s.bonus)

    def section_max_scores(self) -> list[tuple[SectionSpec, float]]:
        return [(s, sum(c.points for c in self.checks if c.section == s.id)) for s in self.sections]

    def checks_of(self, section_id: str) -> tuple[CheckSpec, ...]:
        return tuple(c for c in self.checks if c.section == section_id)

    def section(self, section_id: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def evaluated_sections(self) -> tuple[str, ...]:
        """Sections whose models the grader evaluates on held-out data: those with a check
        that may read an evaluation (as its kind declares)."""
        if not self.execution.evaluations:
            return ()
        return tuple(s.id for s in self.sections if any(c.needs.evaluation for c in self.checks_of(s.id)))

    @property
    def notebook_path(self) -> Path:
        return Path(self.root) / self.notebook

    @property
    def reference_path(self) -> Path:
        return (Path(self.root) / self.reference).resolve()

    @property
    def examples_dir(self) -> Path:
        return Path(self.root) / "examples"


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Where:
    """Builds error messages that say file, table and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, where: str, text: str) -> SpecError:
        return SpecError(f"{self.path}: {where}: {text}")


def _require(table: dict, key: str, kind: type | tuple, where: str, at: _Where) -> Any:
    if key not in table:
        raise at.error(where, f"missing key '{key}'")
    value = table[key]
    if not isinstance(value, kind):
        raise at.error(where, f"'{key}' must be {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


DATASET_KEYS = ("source", "positive")


def _parse_datasets(raw: Any, at: _Where) -> dict[str, EvaluationSpec]:
    """The built-in sources plus the spec's ``[datasets.<name>]`` groupings."""
    found = {name: EvaluationSpec(name, name) for name in SOURCES}
    if not isinstance(raw, dict):
        raise at.error("[datasets]", "must be a table of tables: [datasets.<name>]")
    for name, table in raw.items():
        where = f"[datasets.{name}]"
        if not isinstance(table, dict):
            raise at.error(where, "must be a table with 'source' and 'positive'")
        for key in table:
            if key not in DATASET_KEYS:
                raise at.error(where, f"unknown key '{key}'{_suggest(key, DATASET_KEYS)}")
        source = table.get("source", DEFAULT_DATASET)
        if source not in SOURCES:
            raise at.error(where, f"unknown source '{source}'{_suggest(str(source), SOURCES)}; "
                                  f"available: {', '.join(SOURCES)}")
        positive = table.get("positive", [])
        if not isinstance(positive, list) or not positive or not all(
                isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in positive):
            raise at.error(where, "'positive' must be a non-empty list of class indices, e.g. [0, 1, 2]")
        found[name] = EvaluationSpec(name, source, tuple(sorted(set(positive))))
    return found


def _evaluations(checks: tuple[CheckSpec, ...], datasets: dict[str, EvaluationSpec],
                 at: _Where) -> tuple[EvaluationSpec, ...]:
    """The datasets the grader must evaluate every model on, from the checks that read them."""
    used = {}
    for check in checks:
        name = check.needs.dataset
        if name is None:
            continue
        if name not in datasets:
            raise at.error(f"[[checks]] ({check.id})", f"unknown dataset '{name}'{_suggest(str(name), datasets)}; "
                                                        f"declare it as [datasets.{name}] or use one of: "
                                                        f"{', '.join(sorted(datasets))}")
        used[name] = datasets[name]
    return tuple(used[name] for name in sorted(used))


LATE_KEYS = ("due", "percent_per_day", "percent_per_hour", "grace_minutes", "cap_percent", "of")


def _due_date(value: Any, at: _Where) -> dt.datetime:
    """``due`` as an aware datetime: a TOML offset date-time or an ISO 8601 string with its zone."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise at.error("[late]", f"'due' is not an ISO 8601 date-time: {value!r} "
                                     "(e.g. 2026-03-10T23:59:00-03:00)") from None
    if not isinstance(value, dt.datetime):
        raise at.error("[late]", f"'due' must be a date and time, got {value!r} (e.g. 2026-03-10T23:59:00-03:00)")
    if value.tzinfo is None:
        raise at.error("[late]", f"'due' must say its time zone: {value.isoformat()}-03:00 or "
                                 f"{value.isoformat()}Z, not {value.isoformat()}")
    return value


def _parse_similarity(table: Any, at: _Where) -> SimilaritySettings:
    """The ``[similarity]`` table (grader/similarity_settings.py), its errors naming file and key."""
    try:
        return parse_similarity(table)
    except KeyError as exc:
        key = str(exc.args[0])
        raise at.error("[similarity]", f"unknown key '{key}'{_suggest(key, SIMILARITY_KEYS)}") from None
    except ValueError as exc:
        raise at.error("[similarity]", str(exc)) from None


def _parse_late(table: Any, at: _Where) -> LatePolicy:
    """The ``[late]`` table: due date, percent per day or per hour, grace, cap."""
    if not isinstance(table, dict):
        raise at.error("[late]", "must be a table")
    for key in table:
        if key not in LATE_KEYS:
            raise at.error("[late]", f"unknown key '{key}'{_suggest(key, LATE_KEYS)}")
    if "due" not in table:
        raise at.error("[late]", "missing key 'due'")
    rates = [f"percent_per_{unit}" for unit in UNITS if f"percent_per_{unit}" in table]
    if len(rates) != 1:
        raise at.error("[late]", "give exactly one of 'percent_per_day' and 'percent_per_hour'")
    numbers = {}
    for key, low, high in ((rates[0], 0, 100), ("cap_percent", 0, 100), ("grace_minutes", 0, None)):
        value = table.get(key, 100 if key == "cap_percent" else 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low or (
                high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"a number >= {low}"
            raise at.error("[late]", f"'{key}' must be {bound}, got {value!r}")
        numbers[key] = float(value)
    of = table.get("of", "score")
    if of not in ("score", "max_score"):
        raise at.error("[late]", f"'of' must be 'score' or 'max_score', got {of!r}")
    return LatePolicy(due=_due_date(table["due"], at), percent=numbers[rates[0]], per=rates[0].rsplit("_", 1)[1],
                      grace=dt.timedelta(minutes=numbers["grace_minutes"]), cap=numbers["cap_percent"], of=of)


BOOLEAN_EXECUTION_KEYS = ("keras2_compat",)  # the [execution] keys that are true/false, not numbers


SKIP_KEYS = ("tag", "pattern", "reason")


def _parse_skip(raw: Any, at: _Where) -> tuple[SkipRule, ...]:
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise at.error("[execution]", "'skip' must be a list of tables: write each rule as [[execution.skip]]")
    rules = []
    for n, table in enumerate(raw, start=1):
        where = f"[[execution.skip]] #{n}"
        for key, value in table.items():
            if key not in SKIP_KEYS:
                raise at.error(where, f"unknown key '{key}'{_suggest(key, SKIP_KEYS)}")
            if not isinstance(value, str):
                raise at.error(where, f"'{key}' must be a string, got {value!r}")
        if not table.get("tag") and not table.get("pattern"):
            raise at.error(where, "give 'tag' (a cell tag), 'pattern' (a regular expression of the cell's code) or both")
        try:
            re.compile(table.get("pattern", ""))
        except re.error as exc:
            raise at.error(where, f"'pattern' is not a valid regular expression: {exc}") from None
        rules.append(SkipRule(**table))
    return tuple(rules)


def _parse_execution(table: dict, at: _Where, evaluations: tuple[EvaluationSpec, ...]) -> ExecutionSettings:
    known = {f for f in ExecutionSettings.__dataclass_fields__ if f not in ("evaluations", "cifar10")}
    for key in table:
        if key not in known:
            raise at.error("[execution]", f"unknown key '{key}'{_suggest(key, known)}")
    table = dict(table)
    skip = _parse_skip(table.pop("skip"), at) if "skip" in table else ()
    for key, value in table.items():
        if key in BOOLEAN_EXECUTION_KEYS:
            if not isinstance(value, bool):
                raise at.error("[execution]", f"'{key}' must be true or false, got {value!r}")
            continue
        if key == "threads" and value == "auto":
            continue
        lowest = 0 if key == "seed" else 1e-9
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < lowest:
            hint = ' or "auto"' if key == "threads" else ""
            raise at.error("[execution]", f"'{key}' must be a positive number{hint}, got {value!r}")
    return ExecutionSettings(**table, evaluations=evaluations, skip=skip)


def _parse_sections(raw: list, at: _Where) -> tuple[SectionSpec, ...]:
    sections = []
    for n, table in enumerate(raw, start=1):
        where = f"[[sections]] #{n}"
        sid = _require(table, "id", str, where, at)
        heading = table.get("heading", re.escape(sid))
        try:
            re.compile(heading)
        except re.error as exc:
            raise at.error(where, f"'heading' is not a valid regular expression: {exc}") from None
        unknown = set(table) - {"id", "title", "heading", "bonus"}
        if unknown:
            key = sorted(unknown)[0]
            raise at.error(where, f"unknown key '{key}'{_suggest(key, ['id', 'title', 'heading', 'bonus'])}")
        sections.append(SectionSpec(sid, table.get("title", sid), heading, bool(table.get("bonus", False))))
    ids = [s.id for s in sections]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise at.error("[[sections]]", f"duplicate section id '{sorted(dupes)[0]}'")
    return tuple(sections)


# Built-in kinds that judge one model of their section, in the order in which they choose it:
# a structure check first, then parameters, output shape and accuracy. A check with
# ``own_model = true`` chooses its own model and does not choose for the others.
MODEL_CHOOSING_KINDS = ("model_structure", "model_params", "output_shape", "accuracy")


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _model_choice(check: CheckSpec) -> ModelChoice | None:
    """The choice ``check`` makes by its own parameters, or None if it names no model to look for."""
    references = _names(check.param("reference_model"))
    contains = check.param("mode") == "contains" and check.kind == "model_structure"
    layers = _names(check.param("layers") if contains else check.param("contains") if check.kind == "accuracy" else None)
    if not references and not layers:
        return None
    return ModelChoice(check.id, references, () if references else layers, tuple(check.param("equivalent", ()) or ()),
                       tuple(check.param("ignore", ()) or ()), tuple(check.param("keep", ()) or ()))


def _follows(own: ModelChoice | None, made: list[ModelChoice]) -> ModelChoice | None:
    """The choice already made in the section that a check choosing ``own`` follows, if any: one
    looking for one of the same reference models; for a check naming no reference model, the first."""
    if own is not None and own.reference_model:
        return next((c for c in made if set(c.reference_model) & set(own.reference_model)), None)
    return made[0] if made else None


def section_model_choices(checks: tuple[CheckSpec, ...]) -> tuple[CheckSpec, ...]:
    """``checks`` with each model check given its section's model choice (see :class:`ModelChoice`).

    Within a section, checks looking for the same reference model (or for no reference model
    at all) judge the model the first of them chooses; a section that asks for two models
    (an MLP and a CNN, say) keeps one choice per model.
    """
    made: dict[str, list[ModelChoice]] = {}
    given: dict[str, ModelChoice] = {}
    ranked = sorted((c for c in checks if c.kind in MODEL_CHOOSING_KINDS and not c.param("own_model")),
                    key=lambda c: MODEL_CHOOSING_KINDS.index(c.kind))
    for check in ranked:
        own, section = _model_choice(check), made.setdefault(check.section, [])
        choice = _follows(own, section) or own
        if choice is own and own is not None:
            section.append(own)
        if choice is not None:
            given[check.id] = choice
    return tuple(dataclasses.replace(c, model_choice=given[c.id]) if c.id in given else c for c in checks)


def _parse_checks(raw: list, sections: tuple[SectionSpec, ...], kinds, at: _Where) -> tuple[CheckSpec, ...]:
    checks, seen = [], set()
    section_ids = [s.id for s in sections]
    for n, table in enumerate(raw, start=1):
        table = dict(table)
        where = f"[[checks]] #{n}"
        kind = _require(table, "kind", str, where, at)
        if kind not in kinds:
            raise at.error(where, f"unknown kind '{kind}'{_suggest(kind, kinds.names())}")
        cid = table.pop("id", f"{table.get('section', 'check')}-{kind}-{n}")
        if cid in seen:
            raise at.error(where, f"duplicate check id '{cid}'")
        seen.add(cid)
        section = _require(table, "section", str, where, at)
        if section not in section_ids:
            raise at.error(where, f"unknown section '{section}'{_suggest(section, section_ids)}")
        points = _require(table, "points", (int, float), where, at)
        if points < 0:
            raise at.error(where, f"'points' must be >= 0, got {points}")
        visibility = table.pop("visibility", "visible")
        if visibility not in VISIBILITIES:
            raise at.error(where, f"'visibility' must be one of {', '.join(VISIBILITIES)}, got '{visibility}'")
        reveal = table.pop("reveal", None)
        if reveal is not None and reveal not in REVEALS:
            raise at.error(f"{where} ({cid})", f"'reveal' must be one of {', '.join(REVEALS)}, got {reveal!r}"
                                               f"{_suggest(str(reveal), REVEALS)}")
        for key in ("kind", "section", "points"):
            table.pop(key)
        declared = kinds.get(kind)
        problem = declared.validate(table)
        if problem:
            raise at.error(f"{where} ({cid})", problem)
        checks.append(CheckSpec(cid, section, kind, float(points), visibility, table,
                                reveal or declared.default_reveal(table), needs=declared.needs(table)))
    return section_model_choices(tuple(checks))


def load_assignment(path: Path, kinds) -> Assignment:
    """Parse and validate one ``assignment.toml``; ``kinds`` is the check registry."""
    path = Path(path)
    at = _Where(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}") from None
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise at.error(f"[{key}]", f"unknown table{_suggest(key, TOP_LEVEL_KEYS)}; "
                                       f"an assignment has: {', '.join(TOP_LEVEL_KEYS)}")
    head = data.get("assignment")
    if not isinstance(head, dict):
        raise at.error("[assignment]", "missing table")
    aid = _require(head, "id", str, "[assignment]", at)
    for key in head:
        if key not in ASSIGNMENT_KEYS:
            raise at.error("[assignment]", f"unknown key '{key}'{_suggest(key, ASSIGNMENT_KEYS)}")
    requires = head.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) and r.isidentifier() for r in requires):
        raise at.error("[assignment]", "'requires' must be a list of the grader's extras, e.g. [\"torch\"]")
    sections = _parse_sections(data.get("sections", []), at)
    if not sections:
        raise at.error("[[sections]]", "an assignment needs at least one section")
    checks = _parse_checks(data.get("checks", []), sections, kinds, at)
    evaluations = _evaluations(checks, _parse_datasets(data.get("datasets", {}), at), at)
    execution = _parse_execution(data.get("execution", {}), at, evaluations)
    late = _parse_late(data["late"], at) if "late" in data else None
    similarity = _parse_similarity(data.get("similarity", {}), at)
    root = path.parent
    notebook = head.get("notebook", f"{aid}.ipynb")
    reference = head.get("reference", f"../../reference/{aid}.ipynb")
    for label, rel in (("notebook", notebook), ("reference", reference)):
        if not (root / rel).is_file():
            raise at.error("[assignment]", f"{label} '{rel}' not found (looked in {(root / rel).resolve()})")
    return Assignment(
        id=aid,
        title=head.get("title", aid),
        root=str(root.resolve()),
        notebook=notebook,
        reference=reference,
        sections=sections,
        checks=checks,
        execution=execution,
        spec_path=str(path.resolve()),
        late=late,
        similarity=similarity,
        requires=tuple(requires),
    )
