"""One submission's report: every check with its message, the student's models, errors, plots.

Two views of the same page: the student's (verdicts, the student's own values, hints, and
only the expected values a check's ``reveal`` allows) and the instructor's (``show_hidden``:
everything, the reference side by side, hidden checks, technical details).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from markupsafe import Markup

from grader.checks.base import Registry, default_registry
from grader.checks.confusion_binarized import binarize
from grader.facts import EvaluationFacts, ModelFacts, NotebookFacts
from grader.history import GradeVersion, rubric_hash
from grader.messages import Catalogue
from grader.results import CheckResult, SectionScore, SubmissionResult
from grader.spec import Assignment, CheckSpec
from grader.report.cells import cell_errors
from grader.report.common import Formatter, Partner, STATUSES, STUDENT_REVIEW_REASONS, render_page, strip_ansi
from grader.report.diff import DiffRow, ShapeRow, diff_rows, shape_rows
from grader.report.history import version_rows
from grader.report.late import late_note
from grader.report.plots import binary_svg, confusion_svg, learning_curves

NOT_ATTEMPTED = "not_attempted"  # a bonus section the student left as handed out: neutral, not a failure
TO_FIX = ("failed", "partial")  # what the report lists first, linked, before every section
NO_COMPARE_KINDS = frozenset({"executes"})  # the message says it all (no raw "ok" / "error")


@dataclass(frozen=True)
class PerClassRow:
    label: str
    precision: str
    recall: str
    f1: str
    support: str


@dataclass(frozen=True)
class EvaluationView:
    """How the grader evaluated the model a check judged: input form, per-class table, matrices."""

    input_form: str | None
    per_class: tuple[PerClassRow, ...]
    plots: tuple[Markup, ...] = ()
    note: str | None = None


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
    status: str = ""  # the status shown: the check's, or ``not_attempted``
    reveal: bool = True  # expected values (and the reference's layers) may be shown
    expected_label: str = ""
    actual_label: str = ""


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
    not_attempted: bool = False


@dataclass(frozen=True)
class ModelView:
    model: ModelFacts
    curves: tuple[Markup, ...]
    epochs: int


@dataclass(frozen=True)
class ModelsView:
    id: str
    title: str
    student: tuple[ModelView, ...]
    reference: tuple[ModelView, ...]


@dataclass(frozen=True)
class ReportContext:
    """What every check view needs: language, view, the student's facts, the spec's checks, their kinds."""

    fmt: Formatter
    show_hidden: bool
    facts: NotebookFacts | None
    specs: Mapping[str, CheckSpec]
    sources: Mapping[str, str]  # dataset name -> source (``fashion_mnist_test``)
    titles: Mapping[str, str]  # section id -> title
    kinds: Registry

    def measures(self, check: CheckResult) -> str | None:
        """What the check's ``actual`` measures, as its kind declares (``"accuracy"``), or None."""
        return self.kinds.get(check.kind).measures if check.kind in self.kinds else None

    def words(self, message: str) -> str:
        """A message naming a section by its id (“desafio-2”, older results) names it by its title."""
        for sid, title in self.titles.items():
            message = message.replace(f"“{sid}”", f"“{title}”")
        return message

    def reveals(self, check: CheckResult) -> bool:
        """The instructor sees everything; a student, what the check's spec reveals (unknown: nothing)."""
        spec = self.specs.get(check.id)
        return self.show_hidden or (spec is not None and spec.reveals_expected)

    def class_labels(self, dataset: str, size: int) -> list[str]:
        source = self.sources.get(dataset, dataset)
        cat = self.fmt.cat
        if source.startswith("fashion_mnist") and size == 10:
            return [cat(f"report.class_name.fashion_mnist.{i}") for i in range(10)]
        if size == 2:
            return [cat("report.confusion_negative"), cat("report.confusion_positive")]
        return [str(i) for i in range(size)]


def _judged_evaluation(check: CheckResult, ctx: ReportContext) -> EvaluationFacts | None:
    """The evaluation a check measuring accuracy scored: its model (by names) on its dataset."""
    details = check.details if isinstance(check.details, Mapping) else {}
    facts = ctx.facts
    if facts is None or ctx.measures(check) != "accuracy" or "dataset" not in details:
        return None
    dataset, names = details["dataset"], tuple(details.get("model") or ())
    models = [m for m in facts.models_of(check.section) + facts.other_models if m.evaluation(dataset)]
    if names:
        models = [m for m in models if m.names == names]
    same = [m for m in models if m.evaluation(dataset).accuracy == check.actual]
    chosen = same or (models if names else [])
    return chosen[0].evaluation(dataset) if chosen else None


def _evaluation_view(evaluation: EvaluationFacts | None, ctx: ReportContext) -> EvaluationView | None:
    if evaluation is None or not (evaluation.input_form or evaluation.per_class or evaluation.confusion):
        return None
    fmt, number = ctx.fmt, ctx.fmt.cat.number
    labels = ctx.class_labels(evaluation.dataset, len(evaluation.confusion or evaluation.per_class))

    def label(value: Any) -> str:
        return labels[value] if isinstance(value, int) and 0 <= value < len(labels) else str(value)

    rows = tuple(
        PerClassRow(label(row.get("class", "")), number(float(row.get("precision", 0.0)), ".3f"),
                    number(float(row.get("recall", 0.0)), ".3f"), number(float(row.get("f1", 0.0)), ".3f"),
                    fmt.value(row.get("support")))
        for row in evaluation.per_class if isinstance(row, Mapping)
    )
    plots = (confusion_svg(evaluation.confusion, labels, fmt.cat),) if evaluation.confusion else ()
    return EvaluationView(fmt.input_form(evaluation.input_form) if evaluation.input_form else None, rows,
                          tuple(p for p in plots if p))


def _binarized_view(check: CheckResult, ctx: ReportContext, reveal: bool) -> EvaluationView | None:
    """The 10×10 matrix the grader measured, positive classes marked, next to its 2×2 binarization."""
    spec = ctx.specs.get(check.id)
    if ctx.facts is None or spec is None or not isinstance(check.actual, Mapping):
        return None
    positive, negative = list(spec.param("positive", [])), list(spec.param("negative", []))
    dataset, size = spec.param("dataset", "fashion_mnist_test"), len(positive) + len(negative)
    fmt = ctx.fmt
    if not reveal:  # only the student's own four numbers
        return EvaluationView(None, (), tuple(p for p in (binary_svg(check.actual, fmt.cat),) if p))
    models = [m for s in ctx.facts.sections for m in s.models]
    matrices = [e.confusion for m in models if (e := m.evaluation(dataset)) and e.confusion and len(e.confusion) == size]
    matrix = next((c for c in matrices if binarize(c, positive, negative) == check.expected),
                  matrices[0] if matrices else None)
    if matrix is None:
        return None
    labels = ctx.class_labels(dataset, size)
    plots = (confusion_svg(matrix, labels, fmt.cat, positive), binary_svg(binarize(matrix, positive, negative), fmt.cat))
    note = fmt.cat("report.confusion_groups_note", positive=", ".join(labels[i] for i in positive if i < len(labels)))
    return EvaluationView(None, (), tuple(p for p in plots if p), note)


def _alternatives(lines: list[str], cat: Catalogue) -> list[str]:
    """Several accepted values on one line: "61.706 ou 44.426"."""
    if len(lines) < 2:
        return lines
    return [cat("report.alternatives", first=", ".join(lines[:-1]), second=lines[-1])]


def _compare_values(check: CheckResult, ctx: ReportContext, reveal: bool) -> tuple[list[str] | None, list[str] | None]:
    """The expected and found lines of the compare table (expected None when it may not be shown)."""
    fmt, cat = ctx.fmt, ctx.fmt.cat
    expected, actual = check.expected, check.actual
    if check.kind == "answer_text":
        numbers = expected.get("numbers") if isinstance(expected, Mapping) else None
        want = _alternatives([fmt.value(n) for n in numbers], cat) if numbers and reveal else None
        return want, [str(actual)] if actual else None
    if ctx.measures(check) == "accuracy" and isinstance(expected, (int, float)):  # a threshold
        want = [cat("report.accuracy_threshold", value=fmt.percent(float(expected), 1.0))]
        return want, [cat.number(100.0 * float(actual), ".1f") + "%"] if isinstance(actual, (int, float)) else None
    want = None
    if reveal and expected is not None:
        want = fmt.lines(expected)
        if check.kind == "model_params" and isinstance(expected, list):  # the accepted counts
            want = _alternatives([fmt.value(v) for v in expected], cat)
    return want, fmt.lines(actual) if actual is not None else None


def _check_view(check: CheckResult, ctx: ReportContext, not_attempted: bool = False) -> CheckView:
    fmt, kind_label = ctx.fmt, ctx.fmt.label("report.kind", check.kind)
    status = NOT_ATTEMPTED if not_attempted else check.status
    concealed = None if ctx.show_hidden or check.visibility == "visible" else check.visibility
    if concealed is not None:  # withheld from the view itself, not only from the template
        redacted = replace(check, message="", expected=None, actual=None, details=None)
        return CheckView(redacted, kind_label, concealed, None, None, (), (), status=status, reveal=False)
    if check.grader_error or not_attempted:  # the detail is folded once per submission
        return CheckView(check, kind_label, None, None, None, (), (), status=status)
    reveal = ctx.reveals(check)
    check = replace(check, message=ctx.words(check.message))
    rows, shapes = diff_rows(check.details, fmt, reveal), shape_rows(check.details, fmt, reveal)
    # a row table already sets expected against found, layer by layer
    shown = not rows and not shapes and check.kind not in NO_COMPARE_KINDS
    expected, actual = _compare_values(check, ctx, reveal) if shown else (None, None)
    evaluation = (_binarized_view(check, ctx, reveal) if check.kind == "confusion_binarized"
                  else _evaluation_view(_judged_evaluation(check, ctx), ctx))
    answer = check.kind == "answer_text"
    return CheckView(
        check=check, kind_label=kind_label, concealed=None,
        expected=tuple(expected) if expected is not None else None,
        actual=tuple(actual) if actual is not None else None,
        rows=rows, shapes=shapes, evaluation=evaluation, status=status, reveal=reveal,
        expected_label=fmt.cat("report.expected_numbers" if answer else "report.expected"),
        actual_label=fmt.cat("report.your_answer" if answer else "report.actual"),
    )


MAX_TECHNICAL_CHARS = 4000  # of one grader-side failure's text in the instructor's view


def technical_views(result: SubmissionResult, show_hidden: bool) -> list[TechnicalView]:
    """Grader-side failures of a submission, deduplicated by their text: the instructor's view only.

    Their text may carry what a notebook put there (a class that raises a file's content
    while the grader loads it): the student's view shows the plain sentence of each check
    and the banner, never this text. Each text is bounded.
    """
    if not show_hidden:
        return []
    found: dict[str, tuple[list[str], str | None]] = {}
    for check in result.checks:
        details = check.details if isinstance(check.details, Mapping) else {}
        if not check.grader_error:
            continue
        text = strip_ansi(str(details.get("technical") or check.message))[:MAX_TECHNICAL_CHARS]
        checks, trace = found.setdefault(text, ([], details.get("traceback")))
        checks.append(check.id)
    return [TechnicalView(text, tuple(checks), strip_ansi(str(trace))[-MAX_TECHNICAL_CHARS:] if trace else None)
            for text, (checks, trace) in found.items()]


def _not_attempted(section_id: str, bonus: bool, facts: NotebookFacts | None) -> bool:
    """A bonus section left as handed out (or absent): neutral in the report, not a failure."""
    if not bonus or facts is None:
        return False
    section = facts.section(section_id)
    return section is None or not section.attempted


def _section_views(result: SubmissionResult, assignment: Assignment, ctx: ReportContext) -> list[SectionView]:
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
        bonus = bool((spec and spec.bonus) or (score and score.bonus))
        untried = _not_attempted(sid, bonus, ctx.facts) and not any(c.score for c in result.checks if c.section == sid)
        checks = tuple(_check_view(c, ctx, untried) for c in result.checks if c.section == sid)
        if not checks and score is None and spec is None:
            continue
        title = (score.title if score and score.title else None) or (spec.title if spec else sid)
        views.append(SectionView(sid, title, bonus, score, checks, untried))
    return views


def _model_view(model: ModelFacts, cat: Catalogue) -> ModelView:
    return ModelView(model, tuple(learning_curves(model.history, cat)),
                     max((len(v) for v in model.history.values()), default=0))


def _models(assignment: Assignment, facts: NotebookFacts | None, reference: NotebookFacts | None,
            show_hidden: bool, cat: Catalogue) -> list[ModelsView]:
    """The student's models per section; the reference's only in the instructor's view."""
    views = []
    for s in assignment.sections:
        student = tuple(_model_view(m, cat) for m in (facts.models_of(s.id) if facts else ()))
        refs = tuple(_model_view(m, cat) for m in (reference.models_of(s.id) if reference and show_hidden else ()))
        if student or refs:
            views.append(ModelsView(s.id, s.title, student, refs))
    return views


def render_submission_report(
    result: SubmissionResult,
    assignment: Assignment,
    catalogue: Catalogue,
    facts: NotebookFacts | None,
    reference: NotebookFacts | None,
    *,
    show_hidden: bool = False,
    other_view: str | None = None,
    facts_link: str | None = None,
    similar: tuple[Partner, ...] | None = None,
    history: Sequence[GradeVersion] = (),
    kinds: Registry | None = None,
) -> str:
    """Render the feedback page of one submission as self-contained HTML.

    The student's view (default) shows verdicts, the student's own values and the expected
    values each check's ``reveal`` allows; hidden and after-due-date checks only their status
    and points. ``show_hidden`` renders the instructor's view: everything, reference side by
    side. ``other_view`` links the other view; ``facts_link`` (instructor's view only) facts.json;
    ``similar`` (instructor's view only) the submissions this one was flagged similar to;
    ``history`` (instructor's view only) every graded version of this submission, oldest first;
    ``kinds`` the check kinds as the assignment was loaded (default: the built-in kinds and plugins).
    """
    fmt = Formatter(catalogue)
    ctx = ReportContext(fmt, show_hidden, facts, {c.id: c for c in assignment.checks},
                        {e.name: e.source for e in assignment.execution.evaluations},
                        {s.id: s.title for s in assignment.sections}, kinds or default_registry())
    sections = _section_views(result, assignment, ctx)
    views = [v for section in sections for v in section.checks]
    to_fix = [(section, v) for section in sections for v in section.checks if v.status in TO_FIX and not v.concealed]
    # a grader error a teacher has already decided waits for nobody
    visible_errors = [c for c in result.checks if c.grader_error and c.decision is None
                      and (show_hidden or c.visibility == "visible")]
    return render_page(
        "report.html.j2", fmt,
        result=result,
        assignment=assignment,
        counts={s: sum(1 for v in views if v.status == s) for s in STATUSES + (NOT_ATTEMPTED,)},
        sections=sections,
        to_fix=to_fix,
        models=_models(assignment, facts, reference, show_hidden, catalogue),
        cell_errors=cell_errors(result, facts, catalogue),
        section_titles={s.id: s.title for s in assignment.sections},
        show_hidden=show_hidden,
        other_view=other_view,
        facts_link=facts_link if show_hidden else None,
        grader_errors=len(visible_errors),
        technical=technical_views(result, show_hidden),
        # a student also reads where the grader found a section whose heading was missing
        review=result.review if show_hidden else tuple(i for i in result.review if i.reason in STUDENT_REVIEW_REASONS),
        similar=similar if show_hidden else None,  # a signal for the teacher: never on the student's page
        # earlier hand-ins and grades under other rubrics: the teacher's, never the student's page
        history=version_rows(history, result.sha256, rubric_hash(assignment, reference.sha256 if reference else None))
        if show_hidden else (),
        late_note=late_note(result.late, result.max_score, fmt),
    )
