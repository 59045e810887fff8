"""The class overview (index.html): submissions × sections, pass rates, distribution, review queue."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import quote

from grader.messages import Catalogue
from grader.results import CheckResult, ReviewItem, RunResults, SectionInfo, SubmissionResult
from grader.report.common import Formatter, HISTOGRAM_BINS, Partner, render_page

# the two views of one submission's report, as ``render_index`` receives their paths
STUDENT_VIEW, INSTRUCTOR_VIEW = "student", "instructor"
# a check that was not run because the student did not attempt its section: neutral
NOT_ATTEMPTED = "skipped"
# statuses that say whether the student knew the concept (open review items and grader errors do not)
JUDGED = ("passed", "partial", "failed", "error")


@dataclass(frozen=True)
class ReportLinks:
    """Where a submission's two report views are, relative to the index page."""

    student: str | None = None
    instructor: str | None = None

    @classmethod
    def of(cls, paths: str | Mapping[str, str] | None) -> "ReportLinks":
        """A plain path is the student view; a mapping names each view."""
        if isinstance(paths, Mapping):
            return cls(_href(paths.get(STUDENT_VIEW)), _href(paths.get(INSTRUCTOR_VIEW)))
        return cls(_href(paths))


def _href(path: str | None) -> str | None:
    return quote(str(path).replace("\\", "/")) if path else None


@dataclass(frozen=True)
class SectionCell:
    """One submission's score in one section; ``None`` when it has none (an errored submission)."""

    score: float | None
    max_score: float
    not_attempted: bool = False

    @property
    def sort_value(self) -> float:
        return -1.0 if self.score is None or self.not_attempted else self.score


@dataclass(frozen=True)
class IndexRow:
    result: SubmissionResult
    links: ReportLinks
    cells: tuple[SectionCell, ...] = ()

    @property
    def href(self) -> str | None:
        return self.links.student

    @property
    def to_review(self) -> int:
        """Checks waiting for a teacher: in ``review`` or failed by the grader."""
        return sum(1 for c in self.result.checks if _pending(c))


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
class CheckRate:
    """How the class did on one check: passed among the submissions whose verdict says so."""

    id: str
    section: str
    kind: str
    passed: int
    partial: int
    judged: int  # passed, partial, failed or the student's own error
    not_attempted: int
    pending: int  # in review or failed by the grader

    @property
    def rate(self) -> float | None:
        return self.passed / self.judged if self.judged else None

    @property
    def fill(self) -> float:
        return round(100.0 * (self.rate or 0.0), 1)


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


def _pending(check: CheckResult) -> bool:
    """Waiting for a teacher: in ``review``, or failed by the grader and not decided yet."""
    # ``decision`` comes with teacher decisions (grader/review.py); results without it have none
    decided = check.decision is not None
    return check.status == "review" or (check.grader_error and not decided)


def section_not_attempted(result: SubmissionResult, section: SectionInfo) -> bool:
    """A bonus section the student left alone (as the student's report shows it: neutral, not failed)."""
    if not section.bonus:
        return False
    score = next((s for s in result.sections if s.id == section.id), None)
    if score is not None and not score.attempted and not score.score:
        return True
    checks = [c for c in result.checks if c.section == section.id]
    return bool(checks) and all(c.status == NOT_ATTEMPTED for c in checks)


def _cells(result: SubmissionResult, sections: tuple[SectionInfo, ...]) -> tuple[SectionCell, ...]:
    scores = {s.id: s for s in result.sections}
    cells = []
    for section in sections:
        score = scores.get(section.id)
        cells.append(SectionCell(score.score if score else None, section.max_score,
                                 section_not_attempted(result, section)))
    return tuple(cells)


def _averages(graded: list[SubmissionResult], sections: tuple[SectionInfo, ...]) -> list[SectionAverage]:
    """Mean score per section over graded submissions; a bonus left alone does not count."""
    averages = []
    for section in sections:
        scores = [x.score for s in graded if not section_not_attempted(s, section)
                  for x in s.sections if x.id == section.id]
        mean = statistics.fmean(scores) if scores else None
        averages.append(SectionAverage(section.id, section.title, mean, section.max_score))
    return averages


def check_rates(graded: list[SubmissionResult]) -> list[CheckRate]:
    """Per-check pass rates over graded submissions, worst first (checks nobody was judged on last)."""
    by_check: dict[str, list[tuple[CheckResult, bool]]] = {}
    for sub in graded:
        untried = {s.id for s in sub.sections if s.bonus and not s.attempted and not s.score}
        for check in sub.checks:
            by_check.setdefault(check.id, []).append(
                (check, check.section in untried or check.status == NOT_ATTEMPTED))
    rates = []
    for cid, items in by_check.items():
        checks = [c for c, untried in items if not untried]  # an untried bonus is not a failure
        judged = [c for c in checks if c.status in JUDGED and not _pending(c)]
        rates.append(CheckRate(
            cid, items[0][0].section, items[0][0].kind,
            passed=sum(1 for c in judged if c.status == "passed"),
            partial=sum(1 for c in judged if c.status == "partial"),
            judged=len(judged),
            not_attempted=sum(1 for _, untried in items if untried),
            pending=sum(1 for c in checks if _pending(c)),
        ))
    return sorted(rates, key=lambda r: (r.rate is None, r.rate or 0.0, r.id))


SHORT_LABEL = 16  # characters of a section's column heading; the full title is its tooltip


def short_label(title: str, section_id: str) -> str:
    """A section's column heading: the part of its title before ':' ("Desafio 1"), else the title, else its id."""
    head = title.split(":", 1)[0].strip()
    for label in (head, title.strip(), section_id):
        if label and len(label) <= SHORT_LABEL:
            return label
    return section_id


def render_index(results: RunResults, catalogue: Catalogue,
                 reports: Mapping[str, str | Mapping[str, str]],
                 similar: Mapping[str, tuple[Partner, ...]] | None = None) -> str:
    """Render the class overview: submissions × sections, pass rates, distribution, review queue.

    ``reports`` maps submission ids to report paths relative to the index page: a path
    (the student view) or a mapping ``{"student": ..., "instructor": ...}`` of both views.
    ``similar``: each submission's flagged partners (grader/similarity/), when the run compared
    them: a link to ``similarity.html`` and a column; ``None`` shows neither.
    """
    fmt = Formatter(catalogue)
    sections = results.assignment.sections
    subs = sorted(results.submissions, key=lambda s: s.id)
    graded = [s for s in subs if s.status == "graded"]
    rows = [IndexRow(s, ReportLinks.of(reports.get(s.id)), _cells(s, sections)) for s in subs]
    queue = [QueueRow(row.result.id, row.href, item) for row in rows for item in row.result.review]
    # the grades: after the late penalty, as the totals column shows them
    percents = [100 * s.final_score / s.max_score for s in graded if s.max_score]
    totals = [s.final_score for s in graded]
    return render_page(
        "index.html.j2", fmt,
        results=results,
        sections=sections,
        section_titles={s.id: s.title for s in sections},
        section_labels={s.id: short_label(s.title, s.id) for s in sections},
        rows=rows,
        errored=[row for row in rows if row.result.status == "error" or row.result.failures],
        graded=len(graded),
        errors=len(subs) - len(graded),
        mean=statistics.fmean(totals) if totals else None,
        median=statistics.median(totals) if totals else None,
        max_score=results.assignment.max_score,
        averages=_averages(graded, sections),
        rates=check_rates(graded),
        histogram=_histogram(percents),
        queue=queue,
        grader_errors=sum(s.grader_errors for s in subs),
        similar=similar,
        similar_pairs=sum(len(p) for p in similar.values()) // 2 if similar is not None else 0,
    )
