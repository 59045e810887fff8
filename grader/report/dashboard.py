"""The class overview (index.html): scores, section averages, distribution, the review queue."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import quote

import grader
from grader.messages import Catalogue
from grader.results import ReviewItem, RunResults, SubmissionResult
from grader.report.common import Formatter, HISTOGRAM_BINS, template_environment


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
    return template_environment().get_template("index.html.j2").render(
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

