"""Write what ``grader run`` produces under OUT: reports, facts, results.json, grades.csv, index.html."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Mapping, Sequence

from grader import __version__
from grader.errors import UsageError
from grader.execute.sandbox import Sandbox
from grader.export import get_exporter
from grader.facts import NotebookFacts
from grader.history import GradeVersion
from grader.messages import load_catalogue
from grader.report import render_index, render_submission_report
from grader.discovery import DiscoveryInfo
from grader.results import AssignmentInfo, DecisionsInfo, RunResults, SectionInfo, SubmissionResult
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
                  student_only: bool = False) -> RunResults:
    """Write every report (the student's and the instructor's view), then results.json, grades.csv and index.html.

    ``student_only`` (a student's self-check with the kit): the student's report, facts and results.json
    only, no instructor's view nor class dashboard;
    ``similarity``: the run's similar pairs, shown on the dashboard and the instructor's view only;
    ``history``: each submission's graded versions (:mod:`grader.history`), the instructor's view only.
    """
    catalogue = load_catalogue(lang)
    partners = similarity.partners() if similarity is not None else None
    out.mkdir(parents=True, exist_ok=True)
    results, reports = [], {}
    for sub_id in sorted(graded):
        result, facts = graded[sub_id]
        folder = out / sub_id
        folder.mkdir(exist_ok=True)
        report = f"{sub_id}/{STUDENT_REPORT}"
        result = dataclasses.replace(result, report=report)
        (folder / STUDENT_REPORT).write_text(
            render_submission_report(result, assignment, catalogue, facts, reference),  # no way to the teacher's view
            encoding="utf-8")
        if not student_only:
            (folder / INSTRUCTOR_REPORT).write_text(  # reference side by side, hidden checks: not for students
                render_submission_report(result, assignment, catalogue, facts, reference, show_hidden=True,
                                         other_view=STUDENT_REPORT, facts_link="facts.json",
                                         similar=None if partners is None else partners.get(sub_id, ()),
                                         history=(history or {}).get(sub_id, ())),
                encoding="utf-8")
        (folder / "facts.json").write_text(json.dumps(facts.to_json(), indent=1), encoding="utf-8")
        results.append(result)
        reports[sub_id] = {"student": report, "instructor": f"{sub_id}/{INSTRUCTOR_REPORT}"}
    if sandbox:
        isolation = {"level": sandbox.level, "reason": sandbox.reason}
    run_results = RunResults(__version__, assignment_info(assignment), tuple(results), lang=lang, isolation=isolation,
                             submissions_dir=str(Path(submissions_dir).resolve()) if submissions_dir else None,
                             decisions=decisions, discovery=discovery)
    (out / "results.json").write_text(json.dumps(run_results.to_json(), indent=2, ensure_ascii=False),
                                      encoding="utf-8")
    if student_only:
        return run_results
    get_exporter("csv")(run_results, out / "grades.csv")
    (out / "index.html").write_text(render_index(run_results, catalogue, reports, similar=partners),
                                    encoding="utf-8")
    return run_results
