"""Each course master reproduces today's handout and reference byte for byte (pure: no kernel).

The e2e tests grade ``assignments/<id>/<id>.ipynb`` and ``reference/<id>.ipynb``; since
``grader assign`` on ``masters/<id>.ipynb`` writes the very same bytes, they grade the
regenerated notebooks unchanged.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.assign import assign
from grader.assignments import load
from grader.checks.base import default_registry
from grader.notebook import split_sections
from grader.spec import load_assignment

PROJECT = Path(__file__).resolve().parents[2]
COURSE = ("cnn-pratica", "mlp-multiclasse-binaria", "pytorch-treinamento", "relu-exercicios", "treinamento-redes")


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    """``grader assign`` of every course master into a fresh assignments/ tree."""
    root = tmp_path_factory.mktemp("course")
    return {aid: assign(master=PROJECT / "masters" / f"{aid}.ipynb", out=root / "assignments" / aid) for aid in COURSE}


@pytest.mark.parametrize("aid", COURSE)
def test_the_master_reproduces_the_committed_handout_and_reference(assigned, aid):
    result = assigned[aid]
    committed = PROJECT / "assignments" / aid / f"{aid}.ipynb", PROJECT / "reference" / f"{aid}.ipynb"
    for written, original in zip((result.handout, result.reference), committed):
        assert written.read_bytes() == original.read_bytes(), f"{written.name} differs from {original}"
    handout, reference = (nbformat.read(path, 4) for path in committed)
    ids = [c.id for c in reference.cells]
    assert [c.id for c in handout.cells] == [i for i in ids if i in {c.id for c in handout.cells}]


@pytest.mark.parametrize("aid", COURSE)
def test_the_starting_spec_finds_the_same_sections_as_the_course_spec(assigned, aid):
    result = assigned[aid]
    starter = load_assignment(result.spec, default_registry(result.spec.parent))
    course, _ = load(aid, PROJECT / "assignments")
    handout = nbformat.read(result.handout, 4)

    def located(spec):
        return [seg.cells for seg in split_sections(handout, spec) if seg.section]

    assert located(starter) == located(course)
    assert {c.kind for c in starter.checks} == {"executes"} and len(starter.checks) == len(starter.sections)


@pytest.mark.parametrize("aid", COURSE)
def test_the_untouched_example_is_the_handout(aid):
    """The examples are data now; the one handed in untouched must follow the master's handout."""
    handout = nbformat.read(PROJECT / "assignments" / aid / f"{aid}.ipynb", 4)
    (untouched,) = (PROJECT / "assignments" / aid / "examples").glob("*-template-intocado.ipynb")
    assert nbformat.read(untouched, 4) == handout

