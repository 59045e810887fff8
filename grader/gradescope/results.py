"""A graded submission as Gradescope's ``results.json``.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (top-level ``score``,
``execution_time``, ``output``, ``output_format``, ``stdout_visibility``, ``tests[]`` and an
optional ``leaderboard``). Pure: the caller writes the file. A check's visibility maps onto
Gradescope's of the same name; a hidden check's test carries no output at all (its message is
printed to the autograder's stdout, which only instructors see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.checks.base import Registry, default_registry
from grader.messages import Catalogue
from grader.report.common import Formatter
from grader.report.late import late_note
from grader.results import CheckResult, SubmissionResult
from grader.serial import JsonData
from grader.spec import Assignment

# our visibility -> Gradescope's; they share names, and Gradescope has also "after_published"
VISIBILITY = {"visible": "visible", "hidden": "hidden", "after_due_date": "after_due_date"}
TEXT, MARKDOWN = "text", "md"


@dataclass(frozen=True)
class GradescopeTest(JsonData):
    name: str
    number: str
    score: float
    max_score: float
    status: str  # passed | failed
    output: str = ""
    output_format: str = TEXT
    visibility: str = "visible"


@dataclass(frozen=True)
class LeaderboardEntry(JsonData):
    name: str
    value: float | str
    order: str = "desc"


@dataclass(frozen=True)
class GradescopeResults(JsonData):
    """The whole ``results.json``; ``leaderboard`` is left out of the JSON when empty."""

    score: float
    execution_time: int
    output: str
    tests: tuple[GradescopeTest, ...]
    output_format: str = MARKDOWN
    test_output_format: str = TEXT
    stdout_visibility: str = "hidden"
    visibility: str = "visible"
    leaderboard: tuple[LeaderboardEntry, ...] = ()
    extra_data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if not self.leaderboard:
            del data["leaderboard"]
        return data


def _test(check: CheckResult, number: str, section_title: str, cat: Catalogue) -> GradescopeTest:
    visibility = VISIBILITY.get(check.visibility, "hidden")  # an unknown visibility is not shown
    output = check.message if visibility != "hidden" else ""
    if check.decision is not None and visibility != "hidden" and check.decision.comment:
        output += "\n" + cat("gradescope.teacher_comment", comment=check.decision.comment)
    return GradescopeTest(cat("gradescope.test_name", section=section_title, check=check.id), number,
                          round(check.score, 4), round(check.max_score, 4),
                          "passed" if check.status == "passed" else "failed", output, TEXT, visibility)


def check_tests(result: SubmissionResult, assignment: Assignment, cat: Catalogue) -> tuple[GradescopeTest, ...]:
    """One test per check, numbered ``<section>.<check>`` in the assignment's order."""
    titles = {s.id: s.title or s.id for s in assignment.sections}
    order = {s.id: n for n, s in enumerate(assignment.sections, start=1)}
    counters: dict[str, int] = {}
    tests = []
    for check in result.checks:
        counters[check.section] = counters.get(check.section, 0) + 1
        number = f"{order.get(check.section, 0)}.{counters[check.section]}"
        tests.append(_test(check, number, titles.get(check.section, check.section), cat))
    return tuple(tests)


def leaderboard(result: SubmissionResult, cat: Catalogue, kinds: Registry) -> tuple[LeaderboardEntry, ...]:
    """The test-set accuracy the grader measured, per visible check whose kind measures accuracy."""
    def measures_accuracy(check: CheckResult) -> bool:
        return check.kind in kinds and kinds.get(check.kind).measures == "accuracy"

    return tuple(LeaderboardEntry(cat("gradescope.leaderboard_accuracy", check=c.id), round(float(c.actual), 4))
                 for c in result.checks
                 if measures_accuracy(c) and c.visibility == "visible" and isinstance(c.actual, (int, float)))


def summary_lines(result: SubmissionResult, cat: Catalogue, notes: tuple[str, ...] = ()) -> list[str]:
    """The top-level output: the score, the late policy's note, what the autograder noticed."""
    fmt = Formatter(cat)
    lines = [cat("gradescope.summary", score=fmt.score(result.final_score), max_score=fmt.score(result.max_score))]
    note = late_note(result.late, result.max_score, fmt)
    if note is not None:
        lines.append(note.text)
    lines.extend(notes)
    lines.extend(w.text for w in result.warnings)
    return lines


def gradescope_results(result: SubmissionResult, assignment: Assignment, cat: Catalogue, *, seconds: float,
                       notes: tuple[str, ...] = (), with_leaderboard: bool = True,
                       kinds: Registry | None = None) -> GradescopeResults:
    """``results.json`` for one graded submission; a submission that could not be graded is one visible test.

    ``kinds``: the check kinds the assignment was loaded with (default: the built-in kinds and plugins).
    """
    if result.status == "error":
        reason = cat("gradescope.not_graded", reason=result.error or "")
        return failure_results(reason, result.max_score, cat, seconds=seconds, notes=notes)
    return GradescopeResults(
        score=round(result.final_score, 4), execution_time=round(seconds), output="\n\n".join(
            summary_lines(result, cat, notes)), tests=check_tests(result, assignment, cat),
        leaderboard=leaderboard(result, cat, kinds or default_registry()) if with_leaderboard else (),
        extra_data={"submission": result.id, "sha256": result.sha256, "raw_score": result.score})


def failure_results(message: str, max_score: float, cat: Catalogue, *, seconds: float = 0.0,
                    notes: tuple[str, ...] = ()) -> GradescopeResults:
    """Score 0 and one visible test saying, in plain words, why there is no grade."""
    test = GradescopeTest(cat("gradescope.failure_test"), "0", 0.0, round(max_score, 4), "failed", message)
    return GradescopeResults(score=0.0, execution_time=round(seconds), output="\n\n".join((message, *notes)),
                             tests=(test,))
