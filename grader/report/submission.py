"""One submission's report: every check with its message, the model next to the reference's, errors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

import grader
from grader.facts import EvaluationFacts, ModelFacts, NotebookFacts
from grader.hints import hint_for
from grader.messages import Catalogue
from grader.results import CheckResult, SectionScore, SubmissionResult
from grader.spec import Assignment
from grader.report.common import Formatter, STATUSES, STUDENT_REVIEW_REASONS, template_environment, strip_ansi


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
    return template_environment().get_template("report.html.j2").render(
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


