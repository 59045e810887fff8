"""Run the checks of an assignment on one notebook's facts and add up the points.

Pure: facts and spec in, :class:`~grader.results.SubmissionResult` out. Bonus sections
add their points to the total, which is capped at the assignment's maximum.
"""

from __future__ import annotations

import dataclasses
import logging
import traceback
from typing import Any, Mapping

from grader.checks.base import Outcome, Registry
from grader.facts import CellRecord, ModelFacts, NotebookFacts
from grader.hints import hint_for
from grader.messages import Catalogue
from grader.results import (
    AppliedDecision,
    CellErrorSummary,
    CheckResult,
    EnvironmentWarning,
    ExcludedCell,
    ExecutionSummary,
    ReviewItem,
    SectionScore,
    SubmissionResult,
)
from grader.spec import Assignment, CheckSpec

log = logging.getLogger(__name__)

# outcome keys that mean the grader failed, not the student -> the plain sentence shown instead
GRADER_ERRORS = {
    "model.load_error": "grader_error.model_load",
    "accuracy.not_evaluated": "grader_error.model_evaluate",
    "model.reference_missing": "grader_error.reference",
    "model.reference_unloaded": "grader_error.reference",
    "value.reference_missing": "grader_error.reference",
    "function.reference_missing": "grader_error.reference",
    "check.crashed": "grader_error.crashed",
}
# errors about the reference solution: their technical text is for teachers only
REFERENCE_ERRORS = frozenset(k for k, v in GRADER_ERRORS.items() if v == "grader_error.reference")
COMPAT_KINDS = ("colab_import", "colab_drive_mount", "colab_files", "pip_present", "pip_missing", "apt", "magic",
                "keras2", "torchvision")
MAX_REVIEW_TEXT = 300


def run_check(check: CheckSpec, student: NotebookFacts, reference: NotebookFacts, registry: Registry) -> Outcome:
    """One check; a check that crashes is an ``error`` with its traceback, not a crash of the run."""
    try:
        return registry.get(check.kind).function(student, reference, check)
    except Exception as exc:  # a bug in one check must not cost the other checks
        log.exception("check %s crashed", check.id)
        return Outcome("error", 0.0, "check.crashed", {"error": f"{type(exc).__name__}: {exc}"},
                       details={"traceback": traceback.format_exc()})


def to_result(check: CheckSpec, outcome: Outcome, catalogue: Catalogue,
              facts: NotebookFacts | None = None) -> CheckResult:
    """Render an outcome; a grader-side error gets a plain sentence and keeps its detail apart."""
    message = catalogue.render(outcome.message, outcome.params)
    status, details, grader_error = outcome.status, outcome.details, outcome.message in GRADER_ERRORS
    if grader_error:
        status, details = "error", technical_details(outcome, message)
        message = catalogue.render(GRADER_ERRORS[outcome.message])
    elif outcome.message == "executes.cell_error" and facts is not None:
        hint = _cell_hint(_first_problem(outcome, facts), catalogue)
        message = f"{message}\n{catalogue.render('hint.label', {'text': hint})}" if hint else message
    fraction = 0.0 if grader_error else outcome.fraction
    return CheckResult(
        id=check.id, section=check.section, kind=check.kind, status=status,
        score=round(check.points * fraction, 4), max_score=check.points,
        message=message, visibility=check.visibility,
        expected=outcome.expected, actual=outcome.actual, details=details, grader_error=grader_error,
    )


def technical_details(outcome: Outcome, technical: str) -> dict[str, Any]:
    """A grader error's details: the check's own, plus what went wrong, for a teacher."""
    details = dict(outcome.details) if isinstance(outcome.details, Mapping) else (
        {} if outcome.details is None else {"check": outcome.details})
    details.update(technical=technical, error_key=outcome.message,
                   about="reference" if outcome.message in REFERENCE_ERRORS else "student")
    return details


def _first_problem(outcome: Outcome, facts: NotebookFacts) -> CellRecord | None:
    cells = outcome.details.get("cells") if isinstance(outcome.details, Mapping) else None
    index = cells[0].get("index") if cells and isinstance(cells[0], Mapping) else None
    return next((c for c in facts.cells if c.index == index), None)


def _cell_hint(cell: CellRecord | None, catalogue: Catalogue) -> str | None:
    if cell is None or cell.status != "error":
        return None
    hint = hint_for(cell.ename or "", cell.evalue or "", cell.traceback or "")
    return hint.render(catalogue) if hint else None


def section_scores(assignment: Assignment, checks: tuple[CheckResult, ...],
                   facts: NotebookFacts | None = None) -> tuple[SectionScore, ...]:
    def attempted(section_id: str) -> bool:
        if facts is None:
            return True
        section = facts.section(section_id)
        return section is not None and section.attempted

    return tuple(
        SectionScore(spec.id, round(sum(c.score for c in checks if c.section == spec.id), 4), max_score,
                     spec.title, spec.bonus, attempted(spec.id))
        for spec, max_score in assignment.section_max_scores()
    )


def total_score(assignment: Assignment, sections: tuple[SectionScore, ...]) -> float:
    return round(min(assignment.max_score, sum(s.score for s in sections)), 4)


def execution_summary(facts: NotebookFacts, catalogue: Catalogue | None = None) -> ExecutionSummary:
    errors = tuple(
        CellErrorSummary(c.index, c.section, c.ename or c.status, c.evalue or "",
                         _cell_hint(c, catalogue) if catalogue else None)
        for c in facts.cells if c.status in ("error", "timeout")
    )
    excluded = tuple(ExcludedCell(c.index, c.section, c.reason or "") for c in facts.cells if c.status == "excluded")
    return ExecutionSummary(facts.seconds, facts.timed_out, facts.kernel_died, errors, facts.isolation, excluded,
                            facts.cifar10)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_REVIEW_TEXT else text[:MAX_REVIEW_TEXT] + "…"


def check_review_items(checks: tuple[CheckResult, ...], catalogue: Catalogue) -> list[ReviewItem]:
    """Checks awaiting a teacher (``review``) and checks the grader could not do."""
    items = []
    for c in checks:
        if c.grader_error:
            detail = c.details.get("technical", "") if isinstance(c.details, Mapping) else ""
            items.append(ReviewItem(c.id, "grader_error", catalogue.render("review.grader_error",
                                                                          {"detail": _short(detail)}), c.section))
        elif c.status == "review":
            items.append(ReviewItem(c.id, "review", catalogue.render("review.check", {"message": _short(c.message)}),
                                    c.section))
    return items


def _all_models(facts: NotebookFacts) -> list[ModelFacts]:
    models = [m for s in facts.sections for m in s.models] + list(facts.other_models)
    return list({m.key: m for m in models}.values())


def note_review_items(assignment: Assignment, facts: NotebookFacts, catalogue: Catalogue) -> list[ReviewItem]:
    """Models judged with the student's own code, and the notebook-level notes of the facts."""
    items = [
        ReviewItem(None, "judged_with_student_code",
                   catalogue.render("review.judged_with_student_code", {"model": ", ".join(m.names) or m.key}),
                   m.section or None)
        for m in _all_models(facts) if m.judged_with_student_code
    ]
    titles = {s.id: s.title for s in assignment.sections}
    for note in (n for n in facts.review_notes if isinstance(n, Mapping)):
        kind, section = str(note.get("kind", "note")), note.get("section")
        section = section if isinstance(section, str) or section is None else str(section)  # a key, a title
        params = {**{k: str(v) for k, v in note.items()}, "section": titles.get(section, section or "—")}
        if kind == "section_by_structure":
            key = "review.section_by_structure_model" if note.get("model") else "review.section_by_structure"
        elif kind == "tampering":
            key, params["reason"] = "review.tampering", _short(str(note.get("reason") or "—"))
        else:
            key, params["detail"] = "review.other", _short(", ".join(f"{k}={v}" for k, v in note.items()))
        items.append(ReviewItem(None, kind, catalogue.render(key, params), section))
    return items


def environment_warnings(facts: NotebookFacts, catalogue: Catalogue) -> tuple[EnvironmentWarning, ...]:
    """What the kernel's compatibility layer stood in for, once per (kind, name)."""
    seen, warnings = set(), []
    for event in (e for e in facts.compat if isinstance(e, Mapping)):
        kind = str(event.get("kind", ""))
        fields = {k: str(event.get(k) or "") for k in ("name", "modern", "detail")}
        if (kind, fields["name"]) in seen:
            continue
        seen.add((kind, fields["name"]))
        key = f"compat.{kind}" if kind in COMPAT_KINDS else "compat.other"
        if kind == "keras2" and not fields["modern"]:
            key = "compat.keras2_removed"
        warnings.append(EnvironmentWarning(kind, catalogue.render(key, {"kind": kind, **fields}), **fields))
    if facts.cifar10 == "synthetic":  # every report of a run on grader-made data says so
        warnings.append(EnvironmentWarning("cifar10_synthetic", catalogue.render("compat.cifar10_synthetic", {})))
    return tuple(warnings)


def score_submission(*, submission_id: str, path: str, assignment: Assignment, facts: NotebookFacts,
                     reference: NotebookFacts, registry: Registry, catalogue: Catalogue,
                     cached: bool = False) -> SubmissionResult:
    """Check and score one executed notebook."""
    if facts.error:
        reason = catalogue.render(facts.error_key, facts.error_params) if facts.error_key in catalogue.messages \
            else facts.error
        return error_result(submission_id=submission_id, path=path, sha256=facts.sha256, assignment=assignment,
                            catalogue=catalogue, reason=reason, seconds=facts.seconds)
    checks = tuple(to_result(c, run_check(c, facts, reference, registry), catalogue, facts)
                   for c in assignment.checks)
    sections = section_scores(assignment, checks, facts)
    review = check_review_items(checks, catalogue) + note_review_items(assignment, facts, catalogue)
    return SubmissionResult(
        id=submission_id, path=path, sha256=facts.sha256, status="graded",
        score=total_score(assignment, sections), max_score=assignment.max_score, sections=sections,
        checks=checks, execution=execution_summary(facts, catalogue), cached=cached,
        review=tuple(review), warnings=environment_warnings(facts, catalogue),
    )


def error_result(*, submission_id: str, path: str, sha256: str, assignment: Assignment, catalogue: Catalogue,
                 reason: str, seconds: float = 0.0) -> SubmissionResult:
    """A submission that could not be graded at all: every check ``error``, score 0, the reason kept."""
    message = catalogue.render("submission.not_graded", {"reason": reason})
    checks = tuple(
        CheckResult(c.id, c.section, c.kind, "error", 0.0, c.points, message, c.visibility)
        for c in assignment.checks
    )
    return SubmissionResult(
        id=submission_id, path=path, sha256=sha256, status="error", score=0.0,
        max_score=assignment.max_score, sections=section_scores(assignment, checks), checks=checks,
        execution=ExecutionSummary(seconds), error=reason,
        review=(ReviewItem(None, "not_graded", catalogue.render("review.not_graded", {"reason": _short(reason)})),),
    )


# ---------------------------------------------------------------- teacher decisions
POINTS_TOLERANCE = 1e-9


def retotal(result: SubmissionResult) -> SubmissionResult:
    """Section scores and the total added up again from the checks (bonus capped at the maximum)."""
    sections = tuple(dataclasses.replace(s, score=round(sum(c.score for c in result.checks if c.section == s.id), 4))
                     for s in result.sections)
    return dataclasses.replace(result, sections=sections,
                               score=round(min(result.max_score, sum(s.score for s in sections)), 4))


def _review_order(result: SubmissionResult):
    """One order for a submission's review items, whichever of them are decided: numbers stay put."""
    position = {c.id: n for n, c in enumerate(result.checks)}

    def key(item: ReviewItem) -> tuple:
        if item.check is not None:
            return (0, position.get(item.check, len(position)), "", "", "")
        return (1, 0, item.reason, item.section or "", item.text)
    return key


def review_items(result: SubmissionResult) -> list[tuple[ReviewItem, AppliedDecision | None]]:
    """Open and settled review items of ``result`` in their one order, each with its decision if any."""
    order = _review_order(result)
    items = [(i, None) for i in result.review] + [(s.item, s.decision) for s in result.settled]
    return sorted(items, key=lambda pair: order(pair[0]))


def revert_decisions(result: SubmissionResult) -> SubmissionResult:
    """``result`` as the grader scored it, before any teacher decision."""
    if not result.settled and not any(c.decision for c in result.checks):
        return result
    checks = tuple(
        dataclasses.replace(c, score=c.decision.original_score, status=c.decision.original_status, decision=None)
        if c.decision and c.decision.original_status is not None else c
        for c in result.checks
    )
    reopened = tuple(item for item, _ in review_items(result))
    return retotal(dataclasses.replace(result, checks=checks, review=reopened, settled=()))
