"""Run the checks of an assignment on one notebook's facts and add up the points.

Pure: facts and spec in, :class:`~grader.results.SubmissionResult` out. Bonus sections
add their points to the total, which is capped at the assignment's maximum.
"""

from __future__ import annotations

import logging
import traceback

from grader.checks.base import Outcome, Registry
from grader.facts import NotebookFacts
from grader.messages import Catalogue
from grader.results import CellErrorSummary, CheckResult, ExecutionSummary, SectionScore, SubmissionResult
from grader.spec import Assignment, CheckSpec

log = logging.getLogger(__name__)


def run_check(check: CheckSpec, student: NotebookFacts, reference: NotebookFacts, registry: Registry) -> Outcome:
    """One check; a check that crashes is an ``error`` with its traceback, not a crash of the run."""
    try:
        return registry.get(check.kind).function(student, reference, check)
    except Exception as exc:  # a bug in one check must not cost the other checks
        log.exception("check %s crashed", check.id)
        return Outcome("error", 0.0, "check.crashed", {"error": f"{type(exc).__name__}: {exc}"},
                       details={"traceback": traceback.format_exc()})


def to_result(check: CheckSpec, outcome: Outcome, catalogue: Catalogue) -> CheckResult:
    return CheckResult(
        id=check.id, section=check.section, kind=check.kind, status=outcome.status,
        score=round(check.points * outcome.fraction, 4), max_score=check.points,
        message=catalogue.render(outcome.message, outcome.params), visibility=check.visibility,
        expected=outcome.expected, actual=outcome.actual, details=outcome.details,
    )


def section_scores(assignment: Assignment, checks: tuple[CheckResult, ...]) -> tuple[SectionScore, ...]:
    return tuple(
        SectionScore(spec.id, round(sum(c.score for c in checks if c.section == spec.id), 4), max_score,
                     spec.title, spec.bonus)
        for spec, max_score in assignment.section_max_scores()
    )


def total_score(assignment: Assignment, sections: tuple[SectionScore, ...]) -> float:
    return round(min(assignment.max_score, sum(s.score for s in sections)), 4)


def execution_summary(facts: NotebookFacts) -> ExecutionSummary:
    errors = tuple(
        CellErrorSummary(c.index, c.section, c.ename or c.status, c.evalue or "")
        for c in facts.cells if c.status in ("error", "timeout")
    )
    return ExecutionSummary(facts.seconds, facts.timed_out, facts.kernel_died, errors, facts.isolation)


def score_submission(*, submission_id: str, path: str, assignment: Assignment, facts: NotebookFacts,
                     reference: NotebookFacts, registry: Registry, catalogue: Catalogue,
                     cached: bool = False) -> SubmissionResult:
    """Check and score one executed notebook."""
    if facts.error:
        return error_result(submission_id=submission_id, path=path, sha256=facts.sha256, assignment=assignment,
                            catalogue=catalogue, reason=facts.error, seconds=facts.seconds)
    checks = tuple(to_result(c, run_check(c, facts, reference, registry), catalogue) for c in assignment.checks)
    sections = section_scores(assignment, checks)
    return SubmissionResult(
        id=submission_id, path=path, sha256=facts.sha256, status="graded",
        score=total_score(assignment, sections), max_score=assignment.max_score, sections=sections,
        checks=checks, execution=execution_summary(facts), cached=cached,
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
    )
