"""The scored results of a run: what ``results.json`` is made of.

Shapes follow ``shared/contracts/results.schema.json`` (schema_version 1); fields may
be added, never removed or renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.serial import JsonData

SCHEMA_VERSION = 1


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


@dataclass(frozen=True)
class ReviewItem(JsonData):
    """Something a teacher should look at: a ``review`` check, a grader error, a note."""

    check: str | None
    reason: str  # review | grader_error | judged_with_student_code | section_by_structure | not_graded | <note kind>
    text: str  # rendered in the run's language
    section: str | None = None


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


@dataclass(frozen=True)
class CellErrorSummary(JsonData):
    cell: int
    section: str | None
    ename: str
    evalue: str
    hint: str | None = None  # a plain hint when the grading environment caused the error


@dataclass(frozen=True)
class ExecutionSummary(JsonData):
    seconds: float
    timed_out: bool = False
    kernel_died: bool = False
    cell_errors: tuple[CellErrorSummary, ...] = ()
    isolation: str = ""


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
    review: tuple[ReviewItem, ...] = ()  # the teacher's queue for this submission
    warnings: tuple[EnvironmentWarning, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    @property
    def grader_errors(self) -> int:
        """Checks that ended in ``error`` because of the grader, not the student."""
        return sum(1 for c in self.checks if c.grader_error)


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
class RunResults(JsonData):
    """Everything ``grader run`` writes to ``results.json``."""

    grader_version: str
    assignment: AssignmentInfo
    submissions: tuple[SubmissionResult, ...]
    schema_version: int = SCHEMA_VERSION
    lang: str = "pt"
    isolation: dict[str, str] | None = None  # the run's sandbox: level and, when degraded, why
