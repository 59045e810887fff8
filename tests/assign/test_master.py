"""A master notebook split into handout and reference: ids, tags, placeholders, metadata, errors."""

from __future__ import annotations

import nbformat
import pytest
from nbformat import v4

from grader.assign.master import ANSWER_PLACEHOLDER, MasterProblem, split_master
from grader.notebook import ANSWER_MARKER, own_text


def master(*cells, metadata=None) -> nbformat.NotebookNode:
    nb = v4.new_notebook(metadata=metadata or {})
    nb.cells = list(cells)
    return nb


def md(cell_id: str, source: str, *tags: str):
    return v4.new_markdown_cell(source, id=cell_id, metadata={"tags": list(tags)} if tags else {})


def code(cell_id: str, source: str, *tags: str, **metadata):
    cell = v4.new_code_cell(source, id=cell_id, metadata={**metadata, **({"tags": list(tags)} if tags else {})})
    cell.outputs = [v4.new_output("stream", text="saída antiga\n")]
    cell.execution_count = 7
    return cell


COURSE = master(
    md("intro", "# Tarefa"),
    md("d1-texto", "## Desafio 1: ReLU"),
    code("d1-codigo", "def relu(x):\n    ### BEGIN SOLUTION\n    return max(0, x)\n    ### END SOLUTION", "exercicio",
         collapsed=True, editable=False),
    code("d1-variante", "### BEGIN SOLUTION NO PROMPT\nrelu2 = relu\n### END SOLUTION"),
    md("d1-resposta", "**Resposta:** zera os negativos.", "solução", "resposta:d1"),
    code("d1-inteira", "y = relu(-1)", "Solucao"),
    metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
              "language_info": {"name": "python", "version": "3.11.2"}, "colab": {"provenance": []}},
)


def test_ids_stay_the_same_and_a_reference_only_cell_is_left_out_of_the_handout():
    authored = split_master(COURSE)
    assert [c.id for c in authored.reference.cells] == [c.id for c in COURSE.cells]
    assert [c.id for c in authored.handout.cells] == ["intro", "d1-texto", "d1-codigo", "d1-resposta", "d1-inteira"]
    assert authored.reference_only == ("d1-variante",)
    assert authored.solution_cells == ("d1-codigo", "d1-variante", "d1-resposta", "d1-inteira")


def test_tagged_cells_get_the_placeholders_and_lose_only_the_solution_tag():
    handout = {c.id: c for c in split_master(COURSE).handout.cells}
    reference = {c.id: c for c in split_master(COURSE).reference.cells}
    assert handout["d1-resposta"].source == ANSWER_PLACEHOLDER
    assert handout["d1-resposta"].metadata["tags"] == reference["d1-resposta"].metadata["tags"] == ["resposta:d1"]
    assert handout["d1-inteira"].source == "# Seu código aqui" and "tags" not in handout["d1-inteira"].metadata
    assert reference["d1-inteira"].source == "y = relu(-1)"
    assert reference["d1-codigo"].source == "def relu(x):\n    return max(0, x)"


def test_an_untouched_answer_placeholder_reads_as_an_empty_answer():
    assert ANSWER_MARKER.fullmatch(ANSWER_PLACEHOLDER) and own_text(ANSWER_PLACEHOLDER, set()) == ""


def test_outputs_are_cleared_and_only_sane_metadata_is_kept():
    for nb in (split_master(COURSE).handout, split_master(COURSE).reference):
        nbformat.validate(nb)
        assert nb.metadata == {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                               "language_info": {"name": "python"}}
        cell = next(c for c in nb.cells if c.id == "d1-codigo")
        assert cell.outputs == [] and cell.execution_count is None
        assert cell.metadata == {"editable": False, "tags": ["exercicio"]}


def test_the_master_itself_is_not_changed():
    before = nbformat.writes(COURSE)
    split_master(COURSE)
    assert nbformat.writes(COURSE) == before


@pytest.mark.parametrize("cells, key, cell", [
    ((md("a", "# T"), code("b", "x = 1")), "usage.assign.no_solutions", 0),
    ((md("a", "### BEGIN SOLUTION\nresposta\n### END SOLUTION"),), "usage.assign.markers_in_markdown", 1),
    ((code("a", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "solução"),), "usage.assign.tag_and_markers", 1),
    ((md("a", "# T"), md("b", "### BEGIN SOLUTION\nsim\n### END SOLUTION", "solução")), "usage.assign.tag_and_markers", 2),
    ((code("a", "x = 1", "solução"), code("a", "y = 2")), "usage.assign.duplicate_id", 2),
    ((code("a", "x = 1\n### BEGIN SOLUTION"),), "usage.assign.unclosed", 1),
])
def test_master_problems_name_the_cell(cells, key, cell):
    with pytest.raises(MasterProblem) as problem:
        split_master(master(*cells))
    assert (problem.value.key, problem.value.cell) == (key, cell)


def test_a_cell_without_an_id_is_refused():
    nb = master(code("a", "x = 1", "solução"))
    del nb.cells[0]["id"]
    with pytest.raises(MasterProblem) as problem:
        split_master(nb)
    assert problem.value.key == "usage.assign.no_cell_id"
