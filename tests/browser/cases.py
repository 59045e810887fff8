"""Hand-made results for the pages the browser tests open: no notebook is executed.

One submission per case a report must handle (passing, failing, errored, review, decided),
and the class overview of all of them plus a bonus section left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import grader.results
from grader import __version__
from grader.facts import NotebookFacts
from grader.messages import load_catalogue
from grader.report import render_index, render_submission_report
from grader.results import (
    AssignmentInfo,
    ExecutionSummary,
    RunResults,
    SectionInfo,
    SubmissionResult,
)
from tests.test_report import SHA, sample_assignment, sample_facts, sample_result

# teacher decisions arrive with grader/review.py; until then the decided case is skipped
AppliedDecision = getattr(grader.results, "AppliedDecision", None)
CASES = ("passing", "failing", "errored", "review", "decided")


def _passing() -> SubmissionResult:
    failing = sample_result()
    checks = tuple(replace(c, status="passed", score=c.max_score, details=None,
                           message="Correto.", expected=None, actual=None) for c in failing.checks)
    sections = tuple(replace(s, score=s.max_score) for s in failing.sections)
    return replace(failing, id="bia_passou", path="bia_passou.ipynb", score=20, checks=checks,
                   sections=sections, execution=ExecutionSummary(30.5))


def _errored() -> SubmissionResult:
    return SubmissionResult(
        id="zeca_erro", path="zeca_erro.ipynb", sha256=SHA, status="error", score=0, max_score=20,
        sections=(), checks=(), execution=ExecutionSummary(600.0, timed_out=True, kernel_died=True),
        error="O notebook excedeu o tempo total de 600 s; o kernel foi encerrado.",
    )


def _review() -> SubmissionResult:
    base = _passing()
    checks = list(base.checks)
    checks[3] = replace(checks[3], status="review", score=0,
                        message="Não foi possível confirmar a resposta automaticamente.")
    checks[5] = replace(checks[5], status="error", score=0, grader_error=True,
                        message=load_catalogue("pt").render("grader_error.model_load"),
                        details={"technical": "Could not deserialize class 'MinhaCamada'", "about": "student"})
    review = (grader.results.ReviewItem("d1-resposta", "review", "resposta a revisar", "desafio-1"),
              grader.results.ReviewItem("d3-saida", "grader_error", "Could not deserialize class 'MinhaCamada'",
                                        "desafio-3"))
    return replace(base, id="caio_revisao", path="caio_revisao.ipynb", score=17, checks=tuple(checks),
                   review=review)


def _decided() -> SubmissionResult | None:
    if AppliedDecision is None:
        return None
    base = _review()
    decision = AppliedDecision("Resposta correta, escrita de outro jeito.", "prof.ana", "2025-05-02T10:00:00",
                               points=2.0, original_score=0.0, original_status="review")
    checks = list(base.checks)
    checks[3] = replace(checks[3], status="passed", score=2, decision=decision)
    return replace(base, id="davi_decidido", path="davi_decidido.ipynb", score=19, checks=tuple(checks),
                   review=base.review[1:])


def _skipped_bonus() -> SubmissionResult:
    """Did the main desafios, left the bonus alone: its check is not attempted, not failed."""
    base = _passing()
    checks = tuple(replace(c, status="skipped", score=0, message="") if c.section == "bonus" else c
                   for c in base.checks)
    sections = tuple(replace(s, score=0) if s.id == "bonus" else s for s in base.sections)
    return replace(base, id="eva_sem_bonus", path="eva_sem_bonus.ipynb", score=19, checks=checks,
                   sections=sections)


def submissions() -> dict[str, SubmissionResult]:
    found = {"passing": _passing(), "failing": sample_result(), "errored": _errored(), "review": _review(),
             "decided": _decided()}
    return {case: result for case, result in found.items() if result is not None}


def facts_of(case: str) -> tuple[NotebookFacts | None, NotebookFacts | None]:
    student, reference = sample_facts()
    return (None, reference) if case == "errored" else (student, reference)


def run_results(subs: list[SubmissionResult]) -> RunResults:
    assignment = sample_assignment()
    info = AssignmentInfo(assignment.id, assignment.title, assignment.max_score,
                          tuple(SectionInfo(s.id, s.title, m, s.bonus) for s, m in assignment.section_max_scores()))
    return RunResults(__version__, info, tuple(subs))


@dataclass(frozen=True)
class RenderedSite:
    """An OUT folder as ``grader run`` lays it out: index.html and both views per submission."""

    root: Path
    reports: dict[str, Path]  # case -> student report
    instructor: dict[str, Path]  # case -> instructor report
    results: dict[str, SubmissionResult]

    @property
    def index(self) -> Path:
        return self.root / "index.html"


def render_site(root: Path, lang: str = "pt") -> RenderedSite:
    catalogue, assignment = load_catalogue(lang), sample_assignment()
    results = submissions()
    reports, instructor, links = {}, {}, {}
    for case, result in results.items():
        folder = root / result.id
        folder.mkdir(parents=True, exist_ok=True)
        student, reference = facts_of(case)
        for view, name, hidden in (("student", "report.html", False), ("instructor", "report-professor.html", True)):
            path = folder / name
            path.write_text(render_submission_report(result, assignment, catalogue, student, reference,
                                                     show_hidden=hidden), encoding="utf-8")
            (reports if view == "student" else instructor)[case] = path
        links[result.id] = {"student": f"{result.id}/report.html", "instructor": f"{result.id}/report-professor.html"}
    everyone = [*results.values(), _skipped_bonus()]
    (root / "index.html").write_text(render_index(run_results(everyone), catalogue, links), encoding="utf-8")
    return RenderedSite(root, reports, instructor, results)


def render_course_index(root: Path, assignment_id: str = "treinamento-redes", lang: str = "pt") -> tuple[Path, RunResults]:
    """The class overview of a real assignment (its six real section titles), as a Moodle class shows it:
    the examples' long file names as ids, students' full names, similarity partners."""
    from grader.assignments import load as load_assignment
    from grader.lms_names import SubmissionSource
    from grader.results import SectionScore
    from grader.similarity.findings import Partner

    spec, _ = load_assignment(assignment_id)
    sections = tuple(SectionInfo(s.id, s.title, m, s.bonus) for s, m in spec.section_max_scores())
    stems = sorted(p.stem for p in (spec.notebook_path.parent / "examples").glob("*.ipynb"))
    names = ["Maria Eduarda dos Santos Oliveira", "João Pedro Albuquerque de Souza", "Ana Beatriz Carvalho Lima"]
    subs = tuple(SubmissionResult(
        id=stem, path=f"{stem}.ipynb", sha256=SHA, status="graded", score=round(spec.max_score * (n + 1) / 8, 1),
        max_score=spec.max_score, checks=(), execution=ExecutionSummary(42.0),
        sections=tuple(SectionScore(s.id, s.max_score / 2, s.max_score, s.title, s.bonus) for s in sections),
        source=SubmissionSource("moodle", str(1000 + n), name=names[n % len(names)]),
    ) for n, stem in enumerate(stems))
    similar = {stems[0]: (Partner(stems[1], 0.87, ("code",), "similarity.html#pair-1"),
                          Partner(stems[2], 0.74, ("code",), "similarity.html#pair-2"))}
    results = RunResults(__version__, AssignmentInfo(spec.id, spec.title, spec.max_score, sections), subs)
    links = {s.id: {"student": f"{s.id}/report.html", "instructor": f"{s.id}/report-professor.html"} for s in subs}
    path = root / "index.html"
    path.write_text(render_index(results, load_catalogue(lang), links, similar), encoding="utf-8")
    return path, results
