"""Plain pages for when a report or the dashboard cannot be rendered: the grade and what failed.

No template and no facts: only the result's own numbers and texts, escaped, so that a page
is written for every submission whatever its facts hold.
"""

from __future__ import annotations

from html import escape
from typing import Mapping

from grader.messages import Catalogue
from grader.results import RunResults, SubmissionResult

PAGE = ('<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>\n'
        "<body><h1>{title}</h1>\n{body}\n</body></html>\n")


def _score(result: SubmissionResult, catalogue: Catalogue) -> str:
    try:
        return f"{catalogue.number(result.final_score)} / {catalogue.number(result.max_score)}"
    except Exception:  # noqa: BLE001 — a hand-edited results.json: show what it says
        return f"{result.score!s} / {result.max_score!s}"


def plain_report(result: SubmissionResult, catalogue: Catalogue, *, instructor: bool) -> str:
    """A submission's page naming the failure: the technical reason in the instructor's view only."""
    title = escape(f"{result.id}: {catalogue.render('report.step_failed_title')}")
    body = [f"<p>{escape(_score(result, catalogue))}</p>",
            f"<p>{escape(catalogue.render('report.step_failed_student'))}</p>"]
    if instructor:
        body.append(f"<p>{escape(catalogue.render('report.step_failed_instructor', {'reason': result.error or ''}))}</p>")
    return PAGE.format(lang=escape(catalogue.lang), title=title,
                       body="\n".join(body))


def plain_index(results: RunResults, reports: Mapping[str, Mapping[str, str]], catalogue: Catalogue) -> str:
    """The class dashboard as a list: each submission, its grade, its reports, its error; the run's failures."""
    failed = "".join(f"<li>{escape(catalogue.render('step.' + f.step))}: {escape(f.error)}</li>" for f in results.failures)
    rows = []
    for result in sorted(results.submissions, key=lambda r: r.id):
        links = " ".join(f'<a href="{escape(href)}">{escape(view)}</a>'
                         for view, href in reports.get(result.id, {}).items())
        error = f" — {escape(result.error)}" if result.error else ""
        rows.append(f"<li>{escape(result.id)}: {escape(_score(result, catalogue))} {links}{error}</li>")
    body = (f"<p>{escape(catalogue.render('index.run_failed'))}</p>\n<ul>{failed}<li>{escape(catalogue.render('step.index'))}"
            f"</li></ul>\n<ul>\n" + "\n".join(rows) + "\n</ul>")
    return PAGE.format(lang=escape(catalogue.lang), title=escape(results.assignment.title), body=body)
