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

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)


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
