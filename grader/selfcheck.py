"""``grader check``: a student checks one notebook before handing it in.

Runs the assignment's checks, prints a summary of the visible ones in the student's
language, writes the HTML report, and exits 1 when a visible check did not pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.assignments import load as load_assignment
from grader.errors import ExitCode, NotebookError, UsageError
from grader.messages import load_catalogue
from grader.notebook import load_notebook
from grader.report.common import Formatter
from grader.report.text import check_lines, untried, untried_sections
from grader.results import SubmissionResult
from grader.discovery import Submission, submission_id
from grader.outputs import prepare_out, write_outputs
from grader.backends import LocalPool
from grader.grading import grade_all
from grader.run import make_context

FAILING = ("failed", "error", "partial")


@dataclass(frozen=True)
class CheckSummary:
    result: SubmissionResult
    report: Path

    @property
    def exit_code(self) -> ExitCode:
        neutral = untried_sections(self.result)  # an untried bonus is not a failure, as in the report
        visible = [c for c in self.result.checks if c.visibility == "visible" and c.section not in neutral]
        # a grader-side error is not the student's failure: it is printed, and a teacher reviews it
        bad = self.result.status == "error" or any(c.status in FAILING and not c.grader_error for c in visible)
        return ExitCode.CHECKS_FAILED if bad else ExitCode.OK


def print_summary(result: SubmissionResult, report: Path, lang: str) -> None:
    cat = load_catalogue(lang)
    out = console.out
    out(cat("cli.check.header", notebook=result.path))
    if result.status == "error":
        out(cat("cli.check.not_graded", reason=result.error or ""))
    fmt = Formatter(cat)  # numbers as the report writes them
    lines = check_lines(result, cat)  # what the report says, check by check
    for section in result.sections:
        out(f"\n{section.title or section.id}: {fmt.score(section.score)} / {fmt.score(section.max_score)}")
        if untried(section):
            out("  " + cat("report.not_attempted_note"))
        for line in lines:
            if line.section == section.id:
                out("  " + line.text())
    out("\n" + cat("cli.check.total", score=fmt.score(result.final_score), max_score=fmt.score(result.max_score)))
    out(cat("cli.check.report", path=str(report)))


def validate_notebook(notebook: Path, lang: str) -> Path:
    """``notebook`` if it can be graded; else one usage error, before any kernel starts, not one per check."""
    notebook = Path(notebook)
    if not notebook.is_file():
        raise UsageError(f"notebook '{notebook}' not found", "usage.notebook_missing", notebook=str(notebook))
    load_catalogue(lang)  # an unknown language is a usage error before any kernel starts
    try:
        load_notebook(notebook)
    except NotebookError as exc:
        raise UsageError(f"'{notebook}' is not a notebook that can be graded: {exc}", "usage.not_a_notebook",
                         notebook=str(notebook), reason=str(exc)) from None
    return notebook


def check(*, notebook: Path, assignment: str, out: Path | None = None, lang: str = "pt",
          cell_timeout: float | None = None, data_dir: Path | None = None, store: Path | None = None,
          no_store: bool = False, assignments_dir: Path | None = None, isolation: str = "auto",
          force: bool = False, cifar10_dir: Path | None = None) -> CheckSummary:
    """Grade one notebook as a student would see it."""
    notebook = validate_notebook(notebook, lang)
    spec, registry = load_assignment(assignment, assignments_dir)
    # the notebook and the reference run side by side: threads = "auto" shares the cores between them
    context = make_context(spec, data_dir=data_dir, cifar10_dir=cifar10_dir, store=store, no_store=no_store, cell_timeout=cell_timeout,
                           isolation=isolation, jobs=2, catalogue=load_catalogue(lang))
    out = Path(out) if out else notebook.with_name(f"{notebook.stem}-relatorio")
    console.err(load_catalogue(lang)("cli.check.running", notebook=notebook.name))
    sub = Submission(submission_id(notebook.stem), notebook, notebook.name)
    log_path = prepare_out(out)
    console.log_to(log_path)
    graded, reference = grade_all([sub], context, registry, load_catalogue(lang), LocalPool(2, log_path),
                                  use_cache=not (no_store or force))
    results = write_outputs(out, spec, graded, reference, lang, context.sandbox, kinds=registry)
    result = results.submissions[0]
    summary = CheckSummary(result, out / (result.report or ""))
    print_summary(result, summary.report, lang)
    return summary
