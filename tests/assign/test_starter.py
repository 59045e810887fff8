"""The starting assignment.toml: sections from the headings that hold a solution, an executes check each."""

from __future__ import annotations

import tomllib

import nbformat
from nbformat import v4

from grader.assign.starter import assignment_title, draft_sections, heading_pattern, render_starter, slug
from grader.checks.base import default_registry
from grader.notebook import split_sections
from grader.spec import load_assignment


def test_numbered_headings_give_the_course_regex_and_id():
    assert heading_pattern("Desafio 3: LeNet-5 no Fashion-MNIST") == (r"(?i)desafio\s*3\b", "desafio-3")
    assert heading_pattern("Exercício 4: *dying ReLU*") == (r"(?i)exerc[ií]cio\s*4\b", "exercicio-4")
    assert heading_pattern("Batch Normalization e Dropout") == (
        r"(?i)batch\s+normalization\s+e\s+dropout", "batch-normalization-e-dropout")
    assert slug("Questão extra: um título muito longo que não cabe inteiro num id") == "questao-extra-um-titulo-muito-longo-que"


def notebook():
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_markdown_cell("# Lista de **ReLU**", id="t"),
        v4.new_markdown_cell("## Revisão", id="r"),
        v4.new_markdown_cell("## Parte 1: dados", id="p1"),
        v4.new_code_cell("x = 1", id="p1-c"),
        v4.new_markdown_cell("### Dica", id="p1-dica"),
        v4.new_markdown_cell("**Resposta**", id="p1-r", metadata={"tags": ["resposta:p1"]}),
        v4.new_markdown_cell("## Parte 10: extra", id="p10"),
        v4.new_code_cell("y = 2", id="p10-c"),
        v4.new_markdown_cell("## Extra", id="e1"),
        v4.new_code_cell("z = 3", id="e1-c"),
        v4.new_markdown_cell("## Extra", id="e2"),
        v4.new_code_cell("w = 4", id="e2-c"),
    ]
    return nb


def test_sections_are_the_headings_above_solutions_and_each_regex_finds_only_its_own():
    drafts = draft_sections(notebook(), {"p1-c", "p1-r", "p10-c", "e1-c", "e2-c"})
    assert [d.id for d in drafts] == ["parte-1", "parte-10", "extra", "extra-2"]
    assert drafts[0].answers == ("p1",) and drafts[1].answers == ()
    assert drafts[2].heading == "^Extra$"  # the words alone would match both "Extra" headings
    assert assignment_title(notebook(), "x") == "Lista de ReLU"


def test_a_numbered_part_with_nothing_to_write_is_a_section_of_its_series():
    """pytorch-treinamento's "Parte 4" hands the experiment out whole: no solution, still a part."""
    drafts = draft_sections(notebook(), {"p1-c"})
    assert [(d.id, d.heading) for d in drafts] == [("parte-1", r"(?i)parte\s*1\b"), ("parte-10", r"(?i)parte\s*10\b")]
    # the series is the sections' own word ("Revisão", "### Dica" stay out); "Extra" has no number, no series
    assert [d.id for d in draft_sections(notebook(), {"e1-c"})] == ["extra"]


def test_the_starter_parses_with_the_spec_loader_and_finds_its_sections(tmp_path):
    nb = notebook()
    nbformat.write(nb, str(tmp_path / "t.ipynb"))
    nbformat.write(nb, str(tmp_path / "ref.ipynb"))
    drafts = draft_sections(nb, {"p1-c", "p10-c"})
    text = render_starter(assignment_id="t", title="Lista", notebook="t.ipynb", reference="ref.ipynb",
                          sections=drafts, master="t.master.ipynb")
    (tmp_path / "assignment.toml").write_text(text, encoding="utf-8")
    spec = load_assignment(tmp_path / "assignment.toml", default_registry(tmp_path))
    assert [s.id for s in spec.sections] == ["parte-1", "parte-10"]
    assert [(c.section, c.kind, c.points) for c in spec.checks] == [("parte-1", "executes", 1), ("parte-10", "executes", 1)]
    found = {seg.section: [nb.cells[i].id for i in seg.cells] for seg in split_sections(nb, spec) if seg.section}
    assert found == {"parte-1": ["p1", "p1-c", "p1-dica", "p1-r"], "parte-10": ["p10", "p10-c"]}
    assert tomllib.loads(text)["assignment"] == {"id": "t", "title": "Lista", "notebook": "t.ipynb",
                                                 "reference": "ref.ipynb"}
