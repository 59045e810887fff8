"""A submission's checks as lines of text, saying what the student's report says.

``grader check`` prints them in the terminal and ``verificar()`` shows them in the notebook:
the same verdict as the report (an untried bonus is "não tentado" there too), the check's id,
and where the report points at its layer-by-layer table, the table's rows in words
("A 1ª camada Conv2D difere em: filtros."), since a line of text has no table to point at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from grader.messages import Catalogue
from grader.report.common import Formatter
from grader.report.diff import diff_rows
from grader.results import CheckResult, SectionScore, SubmissionResult

NOT_ATTEMPTED = "not_attempted"
SYMBOLS = {"passed": "✔", "failed": "✘", "partial": "◐", "error": "!", "review": "?", "skipped": "–",
           NOT_ATTEMPTED: "○"}
POINTER = "model_structure.see_rows"  # the sentence of a message that points at the report's table


@dataclass(frozen=True)
class CheckLine:
    """One check as a line: the status shown (the check's, or ``not_attempted``) and its words."""

    id: str
    section: str
    status: str
    symbol: str
    label: str
    message: str

    def text(self) -> str:
        return f"{self.symbol} [{self.label}] {self.id}" + (f": {self.message}" if self.message else "")


def untried(section: SectionScore) -> bool:
    """A bonus section left as handed out, with no points: neutral, as the report shows it."""
    return section.bonus and not section.attempted and not section.score


def untried_sections(result: SubmissionResult) -> set[str]:
    return {s.id for s in result.sections if untried(s)}


def rows_in_words(check: CheckResult, fmt: Formatter) -> list[str]:
    """The advice of each row of the check's layer-by-layer table that is not as expected."""
    return [row.advice for row in diff_rows(check.details, fmt, reveal=False) if row.tone != "ok" and row.advice]


def message_in_words(check: CheckResult, cat: Catalogue) -> str:
    """The check's message, the pointer at the report's table replaced by the rows it points at."""
    pointer = cat(POINTER)
    if pointer not in check.message:
        return check.message
    rows = rows_in_words(check, Formatter(cat))
    return " ".join([check.message.replace(pointer, "").strip()] + rows)


def check_line(check: CheckResult, cat: Catalogue, not_attempted: bool = False,
               titles: Mapping[str, str] | None = None) -> CheckLine:
    status = NOT_ATTEMPTED if not_attempted else check.status
    label = cat("report.not_attempted") if not_attempted else cat(f"report.status.{check.status}")
    message = "" if not_attempted else message_in_words(check, cat)
    for sid, title in (titles or {}).items():  # a section named by its title, as in the report
        message = message.replace(f"“{sid}”", f"“{title}”")
    return CheckLine(check.id, check.section, status, SYMBOLS.get(status, "?"), label, message)


def check_lines(result: SubmissionResult, cat: Catalogue) -> list[CheckLine]:
    """The visible checks of ``result`` in its order, as the student's report shows them."""
    skipped = untried_sections(result)
    titles = {s.id: s.title for s in result.sections if s.title}
    return [check_line(c, cat, c.section in skipped, titles) for c in result.checks if c.visibility == "visible"]
