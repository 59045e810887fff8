"""HTML feedback: one self-contained report per submission and a class overview.

Rendering is pure: it reads results and facts and returns HTML text; the caller writes
the files. Templates live in the top-level ``templates/`` folder and every
student-facing word comes from the message catalogue.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

import jinja2

import grader
from grader.facts import EvaluationFacts, ModelFacts, NotebookFacts
from grader.hints import hint_for
from grader.messages import Catalogue
from grader.results import CheckResult, ReviewItem, RunResults, SectionScore, SubmissionResult
from grader.spec import Assignment

TEMPLATES_DIR = Path(grader.__file__).parents[1] / "templates"
STATUSES = ("passed", "failed", "partial", "review", "error", "skipped")
STUDENT_REVIEW_REASONS = ("section_by_structure",)
HISTOGRAM_BINS = 10
# CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences, as IPython writes them
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_LAYER_CLASS_KEYS = ("class_name", "class", "type")
# how the grader fed its test images to a model (EvaluationFacts.input_form) -> catalogue key
_INPUT_FORMS = (
    (re.compile(r"^(?P<form>28x28x1|28x28|flat784|channels_first)$"), None),
    (re.compile(r"^pad(?P<size>\d+)$"), "report.input_form.pad"),
    (re.compile(r"^resize(?P<height>\d+)(?:x(?P<width>\d+))?$"), "report.input_form.resize"),
    (re.compile(r"^reshape(?P<shape>[\dx]+)$"), "report.input_form.reshape"),
)
_THREE_CHANNELS = re.compile(r"_?x3$")


def strip_ansi(text: str | None) -> str:
    """Remove terminal escape codes (colours) from a traceback or error value."""
    return _ANSI.sub("", text or "")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _is_shape(value: Any) -> bool:
    """A Keras shape: a sequence of ints and ``None`` (the batch axis is always ``None``)."""
    return (
        isinstance(value, (list, tuple))
        and None in value
        and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value)
    )


@dataclass(frozen=True)
class Formatter:
    """Locale-aware formatting of scores, numbers, shapes and JSON values for templates."""

    cat: Catalogue

    def score(self, value: float) -> str:
        value = round(float(value), 2)
        if value.is_integer():
            return self.cat.number(int(value))
        return self.cat.number(value, ",.2f").rstrip("0")

    def percent(self, part: float, whole: float) -> str:
        return self.cat.number(100.0 * part / whole, ".0f") + "%" if whole else "—"

    def seconds(self, value: float) -> str:
        return self.cat.number(float(value), ",.1f")

    def shape(self, value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, (list, tuple)):
            if value and all(isinstance(v, (list, tuple)) for v in value):
                return ", ".join(self.shape(v) for v in value)
            dims = ["None" if d is None else str(d) for d in value]
            return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
        return str(value)

    def value(self, value: Any) -> str:
        """One value on one line: numbers in the locale, shapes as tuples."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return self.cat("report.yes" if value else "report.no")
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        if isinstance(value, int):
            return self.cat.number(value)
        if isinstance(value, float):
            return self.cat.number(value, ",.2f" if abs(value) >= 1000 else ",.4g")
        if _is_shape(value):
            return self.shape(value)
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(self.value(v) for v in value) + "]"
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{k}: {self.value(v)}" for k, v in value.items()) + "}"
        return str(value)

    def lines(self, value: Any) -> list[str]:
        """A value as display lines: one per item of a list of shapes, lists or mappings."""
        if isinstance(value, Mapping):
            return [f"{k}: {self.value(v)}" for k, v in value.items()]
        if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (list, tuple, Mapping)) for v in value
        ):
            return [self.value(v) for v in value]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return [", ".join(value) or "—"]
        return [self.value(value)]

    def layer(self, value: Any) -> str:
        """One side of a structure-diff row: ``Conv2D(filters=6, kernel_size=[5, 5])``."""
        if not isinstance(value, Mapping):
            return self.value(value)
        name = next((str(value[k]) for k in _LAYER_CLASS_KEYS if value.get(k)), "")
        attrs = [
            f"{k}={self.value(v)}"
            for k, v in value.items()
            if k not in _LAYER_CLASS_KEYS and k != "name" and v is not None
        ]
        return f"{name}({', '.join(attrs)})" if name else ", ".join(attrs)

    def label(self, group: str, key: str) -> str:
        """The catalogue's label ``group.key``, or ``key`` itself when there is none."""
        full = f"{group}.{key}"
        return self.cat.render(full) if full in self.cat.messages else str(key)

    def input_form(self, form: str) -> str:
        """``pad32`` -> "test images given as 32×32 with zero borders"; unknown forms by name."""
        text = self._known_form(form)
        if text is None and _THREE_CHANNELS.search(form):
            base = self._known_form(_THREE_CHANNELS.sub("", form))
            text = self.cat.render("report.input_form.gray3", {"form": base}) if base else None
        return text or self.cat.render("report.input_form_other", {"form": form})

    def _known_form(self, form: str) -> str | None:
        for pattern, key in _INPUT_FORMS:
            found = pattern.match(form)
            if found:
                params = {k: v for k, v in found.groupdict().items() if v is not None}
                if key is None:
                    return self.cat.render(f"report.input_form.{params['form']}")
                params.setdefault("width", params.get("height", ""))
                if "shape" in params:
                    params["shape"] = params["shape"].replace("x", "×")
                return self.cat.render(key, params)
        return None


@dataclass(frozen=True)
class DiffRow:
    reference: str
    student: str
    status: str
    status_label: str
    tone: str
    differences: tuple[str, ...]


@dataclass(frozen=True)
class ShapeRow:
    layer: str
    expected: str
    actual: str
    status_label: str
    tone: str


@dataclass(frozen=True)
class PerClassRow:
    label: str
    precision: str
    recall: str
    f1: str
    support: str


@dataclass(frozen=True)
class EvaluationView:
    """How the grader evaluated the model an ``accuracy`` check judged."""

    input_form: str | None
    per_class: tuple[PerClassRow, ...]


@dataclass(frozen=True)
class CheckView:
    """A check as the report shows it; ``concealed`` says why its details are withheld."""

    check: CheckResult
    kind_label: str
    concealed: str | None
    expected: tuple[str, ...] | None
    actual: tuple[str, ...] | None
    rows: tuple[DiffRow, ...]
    shapes: tuple[ShapeRow, ...]
    evaluation: EvaluationView | None = None


@dataclass(frozen=True)
class TechnicalView:
    """One grader-side failure, shown once however many checks it affected."""

    text: str
    checks: tuple[str, ...]
    traceback: str | None


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    bonus: bool
    score: SectionScore | None
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class ModelsView:
    id: str
    title: str
    student: tuple[ModelFacts, ...]
    reference: tuple[ModelFacts, ...]


@dataclass(frozen=True)
class CellErrorView:
    cell: int
    section: str
    ename: str
    evalue: str
    traceback: str
    hint: str | None = None


_ROW_TONES = {
    "ok": "ok", "match": "ok", "equal": "ok", "passed": "ok",
    "differs": "warn", "equivalent": "warn", "alternative": "warn", "partial": "warn",
}


def _row_list(details: Any, *keys: str) -> list[Mapping[str, Any]]:
    """The first list of row mappings found under one of ``keys`` of a check's details."""
    if not isinstance(details, Mapping):
        return []
    for key in keys:
        rows = details.get(key)
        if isinstance(rows, (list, tuple)):
            return [row for row in rows if isinstance(row, Mapping)]
    return []


def _diff_rows(details: Any, fmt: Formatter) -> tuple[DiffRow, ...]:
    """Rows of a structure diff (``rows`` or ``diff``: reference, student, status, differences)."""
    rows = []
    for row in _row_list(details, "rows", "diff"):
        status = str(row.get("status", ""))
        differences = row.get("differences") or ()
        if isinstance(differences, str):
            differences = (differences,)
        rows.append(DiffRow(
            reference=fmt.layer(row.get("reference")),
            student=fmt.layer(row.get("student")),
            status=status,
            status_label=fmt.label("report.row_status", status),
            tone=_ROW_TONES.get(status, "bad"),
            differences=tuple(str(d) for d in differences),
        ))
    return tuple(rows)


def _shape_rows(details: Any, fmt: Formatter) -> tuple[ShapeRow, ...]:
    """Rows of a per-layer output-shape comparison (``layers``: layer, expected, actual, status)."""
    return tuple(
        ShapeRow(
            layer=fmt.layer(row.get("layer")),
            expected=fmt.shape(row.get("expected")),
            actual=fmt.shape(row.get("actual")),
            status_label=fmt.label("report.row_status", str(row.get("status", ""))),
            tone=_ROW_TONES.get(str(row.get("status", "")), "bad"),
        )
        for row in _row_list(details, "layers")
        if "expected" in row and "actual" in row
    )


def _judged_evaluation(check: CheckResult, facts: NotebookFacts | None) -> EvaluationFacts | None:
    """The evaluation an ``accuracy`` check scored: its model (by names) on its dataset."""
    details = check.details if isinstance(check.details, Mapping) else {}
    if facts is None or check.kind != "accuracy" or "dataset" not in details:
        return None
    dataset, names = details["dataset"], tuple(details.get("model") or ())
    models = [m for m in facts.models_of(check.section) + facts.other_models if m.evaluation(dataset)]
    if names:
        models = [m for m in models if m.names == names]
    same = [m for m in models if m.evaluation(dataset).accuracy == check.actual]
    chosen = same or (models if names else [])
    return chosen[0].evaluation(dataset) if chosen else None


def _evaluation_view(evaluation: EvaluationFacts | None, fmt: Formatter) -> EvaluationView | None:
    if evaluation is None or not (evaluation.input_form or evaluation.per_class):
        return None
    number = fmt.cat.number
    rows = tuple(
        PerClassRow(str(row.get("class", "")), number(float(row.get("precision", 0.0)), ".3f"),
                    number(float(row.get("recall", 0.0)), ".3f"), number(float(row.get("f1", 0.0)), ".3f"),
                    fmt.value(row.get("support")))
        for row in evaluation.per_class if isinstance(row, Mapping)
    )
    return EvaluationView(fmt.input_form(evaluation.input_form) if evaluation.input_form else None, rows)


def _check_view(check: CheckResult, fmt: Formatter, show_hidden: bool,
                facts: NotebookFacts | None = None) -> CheckView:
    concealed = None if show_hidden or check.visibility == "visible" else check.visibility
    if concealed is not None:  # withheld from the view itself, not only from the template
        redacted = replace(check, message="", expected=None, actual=None, details=None)
        return CheckView(redacted, fmt.label("report.kind", check.kind), concealed, None, None, (), ())
    if check.grader_error:  # the detail is folded once per submission, not under every check
        return CheckView(check, fmt.label("report.kind", check.kind), None, None, None, (), ())
    rows, shapes = _diff_rows(check.details, fmt), _shape_rows(check.details, fmt)
    # a row table already sets expected against found, layer by layer
    shown = not rows and not shapes and (check.expected is not None or check.actual is not None)
    return CheckView(
        check=check,
        kind_label=fmt.label("report.kind", check.kind),
        concealed=None,
        expected=tuple(fmt.lines(check.expected)) if shown else None,
        actual=tuple(fmt.lines(check.actual)) if shown else None,
        rows=rows,
        shapes=shapes,
        evaluation=_evaluation_view(_judged_evaluation(check, facts), fmt),
    )


def technical_views(result: SubmissionResult, show_hidden: bool) -> list[TechnicalView]:
    """Grader-side failures of a submission, deduplicated by their text.

    The student's view leaves out hidden checks and failures of the reference solution.
    """
    found: dict[str, tuple[list[str], str | None]] = {}
    for check in result.checks:
        details = check.details if isinstance(check.details, Mapping) else {}
        if not check.grader_error or not (show_hidden or check.visibility == "visible"):
            continue
        if details.get("about") == "reference" and not show_hidden:
            continue
        text = strip_ansi(str(details.get("technical") or check.message))
        checks, trace = found.setdefault(text, ([], details.get("traceback") if show_hidden else None))
        checks.append(check.id)
    return [TechnicalView(text, tuple(checks), strip_ansi(trace) if trace else None)
            for text, (checks, trace) in found.items()]


def _section_views(
    result: SubmissionResult, assignment: Assignment, fmt: Formatter, show_hidden: bool,
    facts: NotebookFacts | None = None,
) -> list[SectionView]:
    """Sections in the assignment's order, then any the result names that the spec does not."""
    specs = {s.id: s for s in assignment.sections}
    scores = {s.id: s for s in result.sections}
    order = list(specs)
    for sid in [s.id for s in result.sections] + [c.section for c in result.checks]:
        if sid not in order:
            order.append(sid)
    views = []
    for sid in order:
        spec, score = specs.get(sid), scores.get(sid)
        checks = tuple(_check_view(c, fmt, show_hidden, facts) for c in result.checks if c.section == sid)
        if not checks and score is None and spec is None:
            continue
        title = (score.title if score and score.title else None) or (spec.title if spec else sid)
        bonus = bool((spec and spec.bonus) or (score and score.bonus))
        views.append(SectionView(sid, title, bonus, score, checks))
    return views


def _cell_errors(result: SubmissionResult, facts: NotebookFacts | None, cat: Catalogue) -> list[CellErrorView]:
    """Cell errors of the summary, with tracebacks (and any missing errors) from the facts."""
    records = {c.index: c for c in facts.cells} if facts else {}
    views = {}
    for err in result.execution.cell_errors:
        record = records.get(err.cell)
        views[err.cell] = _cell_error_view(err.cell, err.section, err.ename, err.evalue,
                                           record.traceback if record else None, cat)
    for record in records.values():
        if record.status in ("error", "timeout") and record.index not in views:
            views[record.index] = _cell_error_view(record.index, record.section, record.ename or record.status,
                                                   record.evalue, record.traceback, cat)
    return [views[k] for k in sorted(views)]


def _cell_error_view(cell: int, section: str | None, ename: str, evalue: str | None, traceback: str | None,
                     cat: Catalogue) -> CellErrorView:
    evalue, traceback = strip_ansi(evalue), strip_ansi(traceback)
    hint = hint_for(ename, evalue, traceback)
    return CellErrorView(cell, section or "", ename, evalue, traceback, hint.render(cat) if hint else None)


def render_submission_report(
    result: SubmissionResult,
    assignment: Assignment,
    catalogue: Catalogue,
    facts: NotebookFacts | None,
    reference: NotebookFacts | None,
    *,
    show_hidden: bool = False,
) -> str:
    """Render the feedback page of one submission as self-contained HTML.

    Checks whose visibility is ``hidden`` or ``after_due_date`` show only their status
    and points unless ``show_hidden`` (the instructor's copy).
    """
    fmt = Formatter(catalogue)
    section_titles = {s.id: s.title for s in assignment.sections}
    visible_errors = [c for c in result.checks if c.grader_error and (show_hidden or c.visibility == "visible")]
    models = [
        ModelsView(
            s.id, s.title,
            facts.models_of(s.id) if facts else (),
            reference.models_of(s.id) if reference else (),
        )
        for s in assignment.sections
    ]
    return _environment().get_template("report.html.j2").render(
        t=catalogue,
        fmt=fmt,
        lang=catalogue.lang.replace("_", "-"),
        version=grader.__version__,
        result=result,
        assignment=assignment,
        counts={s: result.count(s) for s in STATUSES},
        sections=_section_views(result, assignment, fmt, show_hidden, facts),
        models=[m for m in models if m.student or m.reference],
        cell_errors=_cell_errors(result, facts, catalogue),
        section_titles=section_titles,
        show_hidden=show_hidden,
        grader_errors=len(visible_errors),
        technical=technical_views(result, show_hidden),
        # a student also reads where the grader found a section whose heading was missing
        review=result.review if show_hidden else tuple(i for i in result.review if i.reason in STUDENT_REVIEW_REASONS),
    )


@dataclass(frozen=True)
class IndexRow:
    result: SubmissionResult
    href: str | None

    @property
    def student_errors(self) -> int:
        """Checks in ``error`` that the grader did not cause."""
        return self.result.count("error") - self.result.grader_errors


@dataclass(frozen=True)
class QueueRow:
    """One line of the class review queue."""

    submission: str
    href: str | None
    item: ReviewItem


@dataclass(frozen=True)
class SectionAverage:
    id: str
    title: str
    average: float | None
    max_score: float

    @property
    def fill(self) -> float:
        """Width of the average's bar, in percent of the section's maximum."""
        if self.average is None or not self.max_score:
            return 0.0
        return round(min(100.0, 100.0 * self.average / self.max_score), 1)


@dataclass(frozen=True)
class HistogramBin:
    label: str
    count: int
    height: float


def _histogram(percents: list[float], bins: int = HISTOGRAM_BINS) -> list[HistogramBin]:
    """Counts of score percentages in equal bins; 100% and above fall in the last one."""
    width = 100 / bins
    counts = [0] * bins
    for p in percents:
        counts[min(int(max(p, 0.0) // width), bins - 1)] += 1
    top = max(counts) or 1
    return [
        HistogramBin(f"{round(i * width)}–{round((i + 1) * width)}%", n, round(100 * n / top, 1))
        for i, n in enumerate(counts)
    ]


def render_index(results: RunResults, catalogue: Catalogue, reports: Mapping[str, str]) -> str:
    """Render the class overview: submissions, per-section averages, score distribution.

    ``reports`` maps submission ids to report paths relative to the index page.
    """
    fmt = Formatter(catalogue)
    subs = sorted(results.submissions, key=lambda s: s.id)
    graded = [s for s in subs if s.status == "graded"]
    rows = [
        IndexRow(s, quote(str(reports[s.id]).replace("\\", "/")) if reports.get(s.id) else None)
        for s in subs
    ]
    queue = [QueueRow(row.result.id, row.href, item) for row in rows for item in row.result.review]
    averages = []
    for section in results.assignment.sections:
        scores = [x.score for s in graded for x in s.sections if x.id == section.id]
        mean = statistics.fmean(scores) if scores else None
        averages.append(SectionAverage(section.id, section.title, mean, section.max_score))
    max_score = results.assignment.max_score
    percents = [100 * s.score / s.max_score for s in graded if s.max_score]
    totals = [s.score for s in graded]
    return _environment().get_template("index.html.j2").render(
        t=catalogue,
        fmt=fmt,
        lang=catalogue.lang.replace("_", "-"),
        version=grader.__version__,
        results=results,
        rows=rows,
        graded=len(graded),
        errors=len(subs) - len(graded),
        mean=statistics.fmean(totals) if totals else None,
        median=statistics.median(totals) if totals else None,
        max_score=max_score,
        averages=averages,
        histogram=_histogram(percents),
        queue=queue,
        grader_errors=sum(s.grader_errors for s in subs),
    )
