"""Scoring: checks run against facts, points added per section, bonus capped, failures kept."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import jsonschema
import pytest

from grader import __version__
from grader.checks.base import Registry, check_kind, partial
from grader.facts import CellRecord, NotebookFacts, SectionFacts
from grader.messages import load_catalogue
from grader.results import AssignmentInfo, RunResults, SectionInfo
from grader.scoring import error_result, score_submission
from grader.spec import Assignment, CheckSpec, SectionSpec

SCHEMA = Path(__file__).resolve().parents[1] / "contracts" / "results.schema.json"
SHA = "ab" * 32


# ---------------------------------------------------------------- fake check kinds
@check_kind("fixed_fraction", optional=("fraction",))
def check_fixed_fraction(student, reference, check):
    """Earns ``fraction`` of the points; the message says how many points were found."""
    fraction = check.param("fraction", 1.0)
    return partial(fraction, "answer_text.review", params={"found": 1, "total": 2})


@check_kind("crashing")
def check_crashing(student, reference, check):
    raise RuntimeError("boom in the check")


@pytest.fixture(scope="module")
def registry():
    kinds = Registry()
    kinds.add_module(sys.modules[__name__])
    return kinds


@pytest.fixture(scope="module")
def pt():
    return load_catalogue("pt")


def fixed(cid, section, points, fraction=1.0, visibility="visible"):
    return CheckSpec(cid, section, "fixed_fraction", points, visibility, {"fraction": fraction})


def assignment(*checks):
    return Assignment(
        id="mini", title="Mini", root=".", notebook="mini.ipynb", reference="ref.ipynb",
        sections=(
            SectionSpec("desafio-1", "Desafio 1", r"desafio\s*1"),
            SectionSpec("desafio-2", "Desafio 2", r"desafio\s*2"),
            SectionSpec("bonus", "Bônus", r"b[oô]nus", bonus=True),
        ),
        checks=tuple(checks),
    )


MIXED = assignment(
    fixed("d1-full", "desafio-1", 2),
    fixed("d1-half", "desafio-1", 2, fraction=0.5),
    CheckSpec("d2-crash", "desafio-2", "crashing", 1.0),
    fixed("d2-zero", "desafio-2", 1, fraction=0.0, visibility="hidden"),
    fixed("bonus-full", "bonus", 1),
)
FACTS = NotebookFacts(
    SHA, seconds=12.5,
    cells=(CellRecord(0, "desafio-1", "ok"), CellRecord(3, "desafio-2", "error", "ValueError", "shapes")),
    sections=(SectionFacts("desafio-1", "Desafio 1"), SectionFacts("desafio-2", "Desafio 2")),
)


def score(spec, facts, registry, catalogue):
    return score_submission(submission_id="aluno", path="aluno.ipynb", assignment=spec, facts=facts,
                            reference=NotebookFacts(SHA), registry=registry, catalogue=catalogue)


@pytest.fixture(scope="module")
def mixed(registry, pt):
    return score(MIXED, FACTS, registry, pt)


def by_id(result):
    return {c.id: c for c in result.checks}


# ---------------------------------------------------------------- score_submission
def test_statuses_and_points_per_check(mixed):
    checks = by_id(mixed)
    assert [(c.status, c.score, c.max_score) for c in mixed.checks] == [
        ("passed", 2.0, 2.0),
        ("partial", 1.0, 2.0),
        ("error", 0.0, 1.0),
        ("failed", 0.0, 1.0),
        ("passed", 1.0, 1.0),
    ]
    assert checks["d2-zero"].visibility == "hidden"


def test_messages_are_rendered_in_the_catalogue_language(mixed, registry):
    assert by_id(mixed)["d1-half"].message.endswith("(1 de 2).")
    english = score(MIXED, FACTS, registry, load_catalogue("en"))
    assert by_id(english)["d1-half"].message.endswith("(1 of 2).")


def test_crashing_check_is_an_error_not_a_crash(mixed, pt):
    crashed = by_id(mixed)["d2-crash"]
    assert crashed.status == "error" and crashed.score == 0
    # a grader error: one plain sentence for the student, the exception kept for a teacher
    assert crashed.grader_error and crashed.message == pt.render("grader_error.crashed")
    assert "boom" not in crashed.message and not crashed.message.startswith("[")
    assert crashed.details["technical"] == pt.render("check.crashed", {"error": "RuntimeError: boom in the check"})
    assert "boom in the check" in crashed.details["traceback"]


def test_the_other_checks_still_run_after_a_crash(mixed):
    assert by_id(mixed)["d2-zero"].status == "failed"
    assert by_id(mixed)["bonus-full"].status == "passed"


def test_section_subtotals(mixed):
    assert [(s.id, s.score, s.max_score, s.bonus) for s in mixed.sections] == [
        ("desafio-1", 3.0, 4.0, False),
        ("desafio-2", 0.0, 2.0, False),
        ("bonus", 1.0, 1.0, True),
    ]
    assert mixed.sections[0].title == "Desafio 1"


def test_bonus_points_count_towards_the_total(mixed):
    assert mixed.max_score == 6.0
    assert mixed.score == 4.0  # 3 + 0 + 1 bonus
    assert mixed.status == "graded"


def test_total_with_bonus_is_capped_at_max_score(registry, pt):
    spec = assignment(fixed("d1", "desafio-1", 3), fixed("d2", "desafio-2", 2, fraction=0.5),
                      fixed("bonus", "bonus", 2))
    result = score(spec, FACTS, registry, pt)
    assert sum(s.score for s in result.sections) == 6.0
    assert result.max_score == 5.0 and result.score == 5.0


def test_execution_summary_lists_cell_errors(mixed):
    assert mixed.execution.seconds == 12.5
    assert [(e.cell, e.section, e.ename, e.evalue) for e in mixed.execution.cell_errors] == [
        (3, "desafio-2", "ValueError", "shapes"),
    ]


def test_facts_with_an_error_give_an_error_result(registry, pt):
    facts = NotebookFacts(SHA, seconds=3.0, error="the kernel could not start")
    result = score(MIXED, facts, registry, pt)
    assert result.status == "error" and result.error == "the kernel could not start"
    assert {c.status for c in result.checks} == {"error"}


# ---------------------------------------------------------------- error_result
def test_error_result_marks_every_check_with_the_reason(pt):
    result = error_result(submission_id="aluno", path="aluno.ipynb", sha256=SHA, assignment=MIXED,
                          catalogue=pt, reason="aluno.ipynb is not valid JSON", seconds=1.5)
    assert result.status == "error" and result.score == 0 and result.max_score == 6.0
    assert result.error == "aluno.ipynb is not valid JSON"
    assert [c.id for c in result.checks] == [c.id for c in MIXED.checks]
    for check in result.checks:
        assert check.status == "error" and check.score == 0
        assert "aluno.ipynb is not valid JSON" in check.message
    assert [s.score for s in result.sections] == [0.0, 0.0, 0.0]
    assert [s.max_score for s in result.sections] == [4.0, 2.0, 1.0]
    assert result.execution.seconds == 1.5


# ---------------------------------------------------------------- results.json contract
def run_results(*submissions, spec=MIXED):
    info = AssignmentInfo(spec.id, spec.title, spec.max_score,
                          tuple(SectionInfo(s.id, s.title, m, s.bonus) for s, m in spec.section_max_scores()))
    return RunResults(__version__, info, tuple(submissions))


def test_results_validate_against_the_schema(mixed, pt):
    failed = error_result(submission_id="outro", path="outro/outro.ipynb", sha256=SHA, assignment=MIXED,
                          catalogue=pt, reason="not a notebook")
    data = json.loads(json.dumps(run_results(mixed, failed).to_json()))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert data["submissions"][0]["checks"][1]["status"] == "partial"


def test_schema_rejects_a_bad_status(mixed):
    data = run_results(mixed).to_json()
    data["submissions"][0]["checks"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- review queue
@check_kind("needs_review")
def check_needs_review(student, reference, check):
    from grader.checks.base import Outcome

    return Outcome("review", 0.0, "answer_text.review_free")


def test_review_checks_and_grader_errors_enter_the_review_queue(pt):
    kinds = Registry()
    kinds.add_module(sys.modules[__name__])
    spec = assignment(fixed("d1", "desafio-1", 1), CheckSpec("d1-texto", "desafio-1", "needs_review", 1.0),
                      CheckSpec("d2-crash", "desafio-2", "crashing", 1.0))
    result = score(spec, FACTS, kinds, pt)
    assert [(i.check, i.reason, i.section) for i in result.review] == [
        ("d1-texto", "review", "desafio-1"), ("d2-crash", "grader_error", "desafio-2")]
    assert result.review[0].text == pt.render("answer_text.review_free")
    assert "RuntimeError: boom in the check" in result.review[1].text
    assert result.grader_errors == 1 and result.count("error") == 1


def test_a_submission_not_graded_is_in_the_review_queue(pt):
    result = error_result(submission_id="aluno", path="aluno.ipynb", sha256=SHA, assignment=MIXED,
                          catalogue=pt, reason="the kernel could not start")
    assert [(i.check, i.reason) for i in result.review] == [(None, "not_graded")]
    assert "the kernel could not start" in result.review[0].text
    assert result.grader_errors == 0  # the checks never ran: the submission's status says why


def test_excluded_cells_and_synthetic_data_reach_the_results(registry, pt):
    cells = (CellRecord(2, "desafio-1", "ok"), CellRecord(3, "desafio-1", "excluded", reason="horas de CPU"))
    facts = dataclasses.replace(FACTS, cells=cells, cifar10="synthetic")
    result = score(MIXED, facts, registry, pt)
    assert [(c.cell, c.section, c.reason) for c in result.execution.excluded_cells] == [(3, "desafio-1", "horas de CPU")]
    assert result.execution.cifar10 == "synthetic"
    assert [w.kind for w in result.warnings if w.kind == "cifar10_synthetic"] == ["cifar10_synthetic"]
    assert "SINTÉTICO" in result.warnings[-1].text
