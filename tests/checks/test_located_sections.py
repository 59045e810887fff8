"""A section whose heading was not found: its model is looked for in the whole notebook, by structure."""

from __future__ import annotations

from grader.checks.model_params import check_model_params
from grader.checks.executes import check_executes
from grader.facts import CellRecord, NotebookFacts, SectionFacts
from grader.locate import add_structure_notes
from grader.spec import Assignment, CheckSpec, SectionSpec
from tests.checks.conftest import dense_model, lenet_layers, model

PARAMS = CheckSpec("d3-params", "desafio-3", "model_params", 1.5, params={"reference_model": "lenet5"})
EXECUTES = CheckSpec("d3-executa", "desafio-3", "executes", 1.0)
ASSIGNMENT = Assignment("a", "a", "/tmp", "a.ipynb", "r.ipynb", (SectionSpec("desafio-3", "Desafio 3", "desafio 3"),),
                        (EXECUTES, PARAMS))
REFERENCE = NotebookFacts("0" * 64, sections=(SectionFacts("desafio-3", "Desafio 3",
                                                           models=(model(lenet_layers(), names=("lenet5",)),)),))


def _no_headings(*models, cells=(CellRecord(0, None, "ok"), CellRecord(1, None, "ok"))) -> NotebookFacts:
    return NotebookFacts("1" * 64, cells=cells, other_models=tuple(models))


def test_the_lenet_of_a_notebook_without_headings_is_found_and_noted_for_review():
    lenet = model(lenet_layers("relu"), names=("modelo",), section="_seg0", created_cell=1)
    facts = add_structure_notes(_no_headings(dense_model(), lenet), REFERENCE, ASSIGNMENT)
    assert facts.review_notes == ({"kind": "section_by_structure", "section": "desafio-3", "cell": 2, "model": "modelo"},)
    assert check_model_params(facts, REFERENCE, PARAMS).status == "passed"
    assert check_executes(facts, REFERENCE, EXECUTES).status == "passed"


def test_the_cells_outside_the_sections_count_for_executes_of_a_located_section():
    lenet = model(lenet_layers(), section="_seg0", created_cell=1)
    cells = (CellRecord(0, None, "ok"), CellRecord(1, None, "error", "NameError", "x"))
    facts = add_structure_notes(_no_headings(lenet, cells=cells), REFERENCE, ASSIGNMENT)
    assert check_executes(facts, REFERENCE, EXECUTES).status == "failed"


def test_a_model_that_is_not_the_sections_is_not_taken_for_it():
    facts = add_structure_notes(_no_headings(dense_model()), REFERENCE, ASSIGNMENT)
    assert facts.review_notes == ()
    outcome = check_model_params(facts, REFERENCE, PARAMS)
    assert (outcome.status, outcome.message) == ("failed", "model.none_found")
    assert check_executes(facts, REFERENCE, EXECUTES).status == "failed"


def test_a_section_found_by_its_heading_never_borrows_models_from_elsewhere():
    lenet = model(lenet_layers(), section="_seg0")
    facts = NotebookFacts("1" * 64, sections=(SectionFacts("desafio-3", "Desafio 3"),), other_models=(lenet,))
    assert add_structure_notes(facts, REFERENCE, ASSIGNMENT).review_notes == ()
    assert check_model_params(facts, REFERENCE, PARAMS).message == "model.none_found"
