"""The scored results of a run: what ``results.json`` is made of.

Shapes follow ``shared/contracts/results.schema.json`` (schema_version 1); fields may
be added, never removed or renamed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.late import LatePenalty
from grader.discovery import DiscoveryInfo
from grader.lms_names import SubmissionSource
from grader.serial import JsonData

SCHEMA_VERSION = 1
RESULTS_NAME = "results.json"  # in OUT


@dataclass(frozen=True)
class AppliedDecision(JsonData):
    """A teacher's decision as applied to a check or a review item, with what it replaced.

    ``points`` is the check's score after the decision (the grader's own when the teacher
    gave none); ``None`` for a notebook-level item, which has nothing to score.
    """

    comment: str
    by: str
    at: str  # ISO 8601
    points: float | None = None
    original_score: float | None = None
    original_status: str | None = None


@dataclass(frozen=True)
class CheckResult(JsonData):
    """One check's verdict for one submission, with its message already rendered."""

    id: str
    section: str
    kind: str
    status: str
    score: float
    max_score: float
    message: str
    visibility: str = "visible"
    expected: Any = None
    actual: Any = None
    details: Any = None
    # the grader, not the student, failed (a model it could not load or evaluate, a missing
    # reference, a crashed check): ``message`` is a plain sentence, ``details["technical"]``
    # keeps what went wrong for a teacher, and the check is in the submission's review queue
    grader_error: bool = False
    # set when a teacher decided this check (decisions.toml): status and score are the decision's
    decision: AppliedDecision | None = None


@dataclass(frozen=True)
class ReviewItem(JsonData):
    """Something a teacher should look at: a ``review`` check, a grader error, a note."""

    check: str | None
    reason: str  # review | grader_error | judged_with_student_code | section_by_structure | not_graded | <note kind>
    text: str  # rendered in the run's language
    section: str | None = None


@dataclass(frozen=True)
class StepFailure(JsonData):
    """A step of the run after execution that failed (scoring, a report, similarity...), and the exception.

    On a submission: that step failed for it alone, and its ``error`` names it. On the run: a
    step for every submission at once (the similarity comparison, the class dashboard).
    """

    step: str  # scoring | decisions | late | similarity | history | report | facts | results | grades | index
    error: str  # the exception's type and message, bounded
    submission: str | None = None


@dataclass(frozen=True)
class SettledItem(JsonData):
    """A review item a teacher decided, and the decision."""

    item: ReviewItem
    decision: AppliedDecision


@dataclass(frozen=True)
class EnvironmentWarning(JsonData):
    """A use of Colab, pip, magics or Keras 2 names that the grading environment stood in for."""

    kind: str
    text: str  # rendered in the run's language
    name: str = ""
    modern: str = ""
    detail: str = ""


@dataclass(frozen=True)
class SectionScore(JsonData):
    id: str
    score: float
    max_score: float
    title: str = ""
    bonus: bool = False
    attempted: bool = True  # False: the section was left as handed out (or is absent); a bonus then is "não tentado"


@dataclass(frozen=True)
class CellErrorSummary(JsonData):
    cell: int
    section: str | None
    ename: str
    evalue: str
    hint: str | None = None  # a plain hint when the grading environment caused the error


@dataclass(frozen=True)
class ExcludedCell(JsonData):
    """A cell the spec's ``[[execution.skip]]`` kept from running, and why."""

    cell: int
    section: str | None
    reason: str


@dataclass(frozen=True)
class ExecutionSummary(JsonData):
    seconds: float
    timed_out: bool = False
    kernel_died: bool = False
    cell_errors: tuple[CellErrorSummary, ...] = ()
    isolation: str = ""
    excluded_cells: tuple[ExcludedCell, ...] = ()  # not executed by the grader, on the spec's rule
    cifar10: str = ""  # real | synthetic: the CIFAR-10 the kernel read ("": none was provided)


@dataclass(frozen=True)
class SubmissionResult(JsonData):
    """The graded outcome of one submission; ``status`` is ``graded`` or ``error``."""

    id: str
    path: str
    sha256: str
    status: str
    score: float
    max_score: float
    sections: tuple[SectionScore, ...]
    checks: tuple[CheckResult, ...]
    execution: ExecutionSummary
    error: str | None = None
    report: str | None = None
    cached: bool = False
    review: tuple[ReviewItem, ...] = ()  # the teacher's queue for this submission: the open items
    warnings: tuple[EnvironmentWarning, ...] = ()
    settled: tuple[SettledItem, ...] = ()  # review items a teacher decided, each with its decision
    source: SubmissionSource | None = None  # the LMS download it came from: the student's key, name, late marker
    late: LatePenalty | None = None  # the late policy's verdict; None: no policy or no known submission time
    failures: tuple[StepFailure, ...] = ()  # steps after execution that failed for this submission (also in ``error``)

    @property
    def final_score(self) -> float:
        """The grade after the late penalty (``score`` is what the checks earned)."""
        return self.late.score if self.late else self.score

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    @property
    def grader_errors(self) -> int:
        """Checks that ended in ``error`` because of the grader, not the student, and no teacher decided."""
        return sum(1 for c in self.checks if c.grader_error and c.decision is None)

    @property
    def decisions(self) -> int:
        """Checks and review items a teacher decided."""
        return sum(1 for c in self.checks if c.decision) + sum(1 for s in self.settled if s.item.check is None)


@dataclass(frozen=True)
class SectionInfo(JsonData):
    id: str
    title: str
    max_score: float
    bonus: bool = False


@dataclass(frozen=True)
class AssignmentInfo(JsonData):
    id: str
    title: str
    max_score: float
    sections: tuple[SectionInfo, ...]


@dataclass(frozen=True)
class UnappliedDecision(JsonData):
    """A decision of the decisions file that this run could not apply, and why."""

    submission: str
    target: str  # the check id, or the review item's reason for a notebook-level item
    reason: str  # no_submission | no_check | no_item | above_max | notebook_changed
    points: float | None = None
    max_score: float | None = None
    comment: str = ""


@dataclass(frozen=True)
class DecisionsInfo(JsonData):
    """The teacher decisions file a run read, how many decisions it applied, which it could not."""

    file: str
    applied: int = 0
    unapplied: tuple[UnappliedDecision, ...] = ()


@dataclass(frozen=True)
class RunResults(JsonData):
    """Everything ``grader run`` writes to ``results.json``."""

    grader_version: str
    assignment: AssignmentInfo
    submissions: tuple[SubmissionResult, ...]
    schema_version: int = SCHEMA_VERSION
    lang: str = "pt"
    isolation: dict[str, str] | None = None  # the run's sandbox: level and, when degraded, why
    submissions_dir: str | None = None  # where the submissions (and decisions.toml) are
    decisions: DecisionsInfo | None = None
    discovery: DiscoveryInfo | None = None  # the naming recognised (LMS), files skipped, earlier hand-ins replaced
    failures: tuple[StepFailure, ...] = ()  # steps that failed for the whole run; the outputs were written anyway


def load_results(out: Path) -> RunResults:
    """``OUT/results.json``; a missing or unreadable one is a usage error naming it."""
    path = Path(out) / RESULTS_NAME
    if not path.is_file():
        raise UsageError(f"'{out}' has no results.json: run grader run first", "usage.no_results", out=str(out))
    try:
        return RunResults.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", "usage.results_invalid", file=str(path),
                         reason=str(exc)) from None
