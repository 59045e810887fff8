"""Write what ``grader run`` produces under OUT: reports, facts, results.json, grades.csv, index.html."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Mapping, Sequence

from grader.version import __version__
from grader.checks.base import Registry, default_registry
from grader.errors import UsageError
from grader.execute.sandbox import Sandbox
from grader.export import get_exporter
from grader.facts import NotebookFacts
from grader.history import GradeVersion
from grader.messages import load_catalogue
from grader.report import render_index, render_submission_report
from grader.discovery import DiscoveryInfo
from grader.failures import describe, isolated_step, run_failure, with_failure
from grader.report.plain import plain_index, plain_report
from grader.results import AssignmentInfo, DecisionsInfo, RunResults, SectionInfo, StepFailure, SubmissionResult
from grader.serial import valid_text
from grader.similarity.findings import SimilarityFindings
from grader.spec import Assignment

LOG_NAME = "grader.log"
STUDENT_REPORT, INSTRUCTOR_REPORT = "report.html", "report-professor.html"  # in OUT/<id>/
RUN_DIR = ".grader"  # never a submission id: ids do not start with a dot
ASSIGNMENT_NAME = "assignment.json"
REFERENCE_NAME = "reference-facts.json"


def prepare_out(out: Path) -> Path:
    """Create the output folder before any notebook runs; the path of its log file."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out '{out}' is a file; give a folder for the reports", "usage.out_is_file", out=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
        log = out / LOG_NAME
        log.touch()
        probe = out / RUN_DIR
        probe.mkdir(exist_ok=True)  # the run's own folder: also proves OUT takes new entries
    except OSError as exc:
        raise UsageError(f"cannot write to the output folder '{out}': {exc.strerror}", "usage.out_unwritable",
                         out=str(out), reason=exc.strerror or str(exc)) from None
    return log


def save_run_inputs(out: Path, assignment: Assignment, reference: NotebookFacts) -> None:
    """Keep the run's assignment and reference facts in OUT, so ``grader report`` needs OUT alone."""
    folder = out / RUN_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ASSIGNMENT_NAME).write_text(json.dumps(assignment.to_json(), indent=1), encoding="utf-8")
    (folder / REFERENCE_NAME).write_text(json.dumps(reference.to_json(), indent=1), encoding="utf-8")


def load_run_inputs(out: Path) -> tuple[Assignment, NotebookFacts | None] | None:
    """The assignment and reference facts :func:`save_run_inputs` kept, or ``None`` for an older OUT."""
    folder = out / RUN_DIR
    try:
        assignment = Assignment.from_json(json.loads((folder / ASSIGNMENT_NAME).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    reference_path = folder / REFERENCE_NAME
    reference = (NotebookFacts.from_json(json.loads(reference_path.read_text(encoding="utf-8")))
                 if reference_path.is_file() else None)
    return assignment, reference


def assignment_info(assignment: Assignment) -> AssignmentInfo:
    sections = tuple(SectionInfo(s.id, s.title, m, s.bonus) for s, m in assignment.section_max_scores())
    return AssignmentInfo(assignment.id, assignment.title, assignment.max_score, sections)


def write_outputs(out: Path, assignment: Assignment, graded: dict[str, tuple[SubmissionResult, NotebookFacts]],
                  reference: NotebookFacts | None, lang: str, sandbox: Sandbox | None = None, *,
                  submissions_dir: Path | None = None, decisions: DecisionsInfo | None = None,
                  similarity: SimilarityFindings | None = None,
                  isolation: dict[str, str] | None = None, discovery: DiscoveryInfo | None = None,
                  history: Mapping[str, Sequence[GradeVersion]] | None = None,
                  failures: tuple[StepFailure, ...] = (), student_only: bool = False,
                  kinds: Registry | None = None) -> RunResults:
    """Write every report (the student's and the instructor's view), then grades.csv, index.html and results.json.

    ``student_only`` (a student's self-check with the kit): the student's report, facts and results.json
    only, no instructor's view nor class dashboard;
    ``similarity``: the run's similar pairs, shown on the dashboard and the instructor's view only;
    ``history``: each submission's graded versions (:mod:`grader.history`), the instructor's view only;
    ``failures``: steps of the run that failed before (kept in results.json);
    ``kinds``: the check kinds the assignment was loaded with (default: the built-in kinds and plugins).
    A report or facts.json
    that cannot be written is that submission's failure (a plain page says so); grades.csv or
    index.html that cannot be, the run's: every other output is still written, results.json last.
    """
    catalogue = load_catalogue(lang)
    kinds = kinds or default_registry()
    partners = similarity.partners() if similarity is not None else None
    out.mkdir(parents=True, exist_ok=True)
    results, reports = [], {}
    for sub_id in sorted(graded):
        result, facts = graded[sub_id]
        result = _write_submission(out / sub_id, dataclasses.replace(result, report=f"{sub_id}/{STUDENT_REPORT}"),
                                   facts, assignment, catalogue, reference,
                                   similar=None if partners is None else partners.get(sub_id, ()),
                                   history=(history or {}).get(sub_id, ()), student_only=student_only, kinds=kinds)
        results.append(result)
        reports[sub_id] = {"student": result.report, "instructor": f"{sub_id}/{INSTRUCTOR_REPORT}"}
    if sandbox:
        isolation = {"level": sandbox.level, "reason": sandbox.reason}
    failures = list(failures)
    run_results = RunResults(__version__, assignment_info(assignment), tuple(results), lang=lang, isolation=isolation,
                             submissions_dir=str(Path(submissions_dir).resolve()) if submissions_dir else None,
                             decisions=decisions, discovery=discovery, failures=tuple(failures))
    if not student_only:  # a student's self-check: no class dashboard, no grade sheet
        run_results = _write_class_pages(out, run_results, results, reports, partners, catalogue, failures)
    run_results = dataclasses.replace(run_results, failures=tuple(failures))
    _write_text(out / "results.json", json.dumps(valid_text(run_results.to_json()), indent=2, ensure_ascii=False))
    return run_results


def _write_class_pages(out: Path, run_results: RunResults, results: list[SubmissionResult], reports: dict,
                       partners, catalogue, failures: list[StepFailure]) -> RunResults:
    """grades.csv and index.html; a row that cannot be written is its submission's failure, a page the run's."""
    def write_grades(chosen: dict[str, SubmissionResult]) -> None:
        get_exporter("csv")(dataclasses.replace(run_results, submissions=tuple(chosen.values())), out / "grades.csv")

    _, failed = isolated_step("grades", {r.id: r for r in results}, write_grades, catalogue, failures, None)
    results = [failed.get(r.id, r) for r in results]
    run_results = dataclasses.replace(run_results, submissions=tuple(results))
    try:
        index = render_index(run_results, catalogue, reports, similar=partners)
    except Exception as exc:  # noqa: BLE001 — a plain page links every report instead
        failures.append(run_failure("index", exc))
        index = plain_index(run_results, reports, catalogue)
    _write_text(out / "index.html", index)
    return run_results


# every page and facts.json is bounded: what feeds them is bounded where it crosses from the
# kernel, and this is the net under it (one report that a browser or an LMS cannot open)
MAX_REPORT_CHARS = 8 * 2**20
MAX_FACTS_CHARS = 32 * 2**20


class OutputTooLarge(Exception):
    """A page or facts.json of one submission is over its bound: that submission's failure."""


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", errors="replace")  # text is valid UTF-8: the net under it


def _write_submission(folder: Path, result: SubmissionResult, facts: NotebookFacts | None, assignment: Assignment,
                      catalogue, reference: NotebookFacts | None, *, similar, history,
                      student_only: bool = False, kinds: Registry) -> SubmissionResult:
    """OUT/<id>/: both views of the report and facts.json; what fails is that submission's failure, said in a page.

    ``facts`` None: ``grader report`` could not read them (that failure is the result's already).
    """
    folder.mkdir(exist_ok=True)
    facts_text = None
    try:
        facts_text = json.dumps(valid_text(facts.to_json()), indent=1) if facts is not None else None
        if facts_text is not None and len(facts_text) > MAX_FACTS_CHARS:
            raise OutputTooLarge(f"facts.json would be {len(facts_text) // 1024} kB (at most {MAX_FACTS_CHARS // 1024})")
    except Exception as exc:  # noqa: BLE001 — facts nested beyond what JSON writing recurses into, or too large
        result = with_failure(result, "facts", exc, catalogue)
        facts_text = json.dumps({"sha256": facts.sha256, "error": describe(exc)})
    pages = {}
    try:
        pages[STUDENT_REPORT] = render_submission_report(result, assignment, catalogue, facts, reference, kinds=kinds)
        if not student_only:  # a student's self-check writes no instructor's view
            pages[INSTRUCTOR_REPORT] = render_submission_report(  # reference side by side, hidden checks
                result, assignment, catalogue, facts, reference, show_hidden=True, other_view=STUDENT_REPORT,
                facts_link="facts.json", similar=similar, history=history, kinds=kinds)
        for name, page in pages.items():
            if len(page) > MAX_REPORT_CHARS:
                raise OutputTooLarge(f"{name} would be {len(page) // 1024} kB (at most {MAX_REPORT_CHARS // 1024})")
    except Exception as exc:  # noqa: BLE001 — a plain page names the failure instead
        result = with_failure(result, "report", exc, catalogue)
        pages = {STUDENT_REPORT: plain_report(result, catalogue, instructor=False)}
        if not student_only:
            pages[INSTRUCTOR_REPORT] = plain_report(result, catalogue, instructor=True)
    for name, page in pages.items():
        _write_text(folder / name, page)
    if facts_text is not None:
        _write_text(folder / "facts.json", facts_text)
    return result
