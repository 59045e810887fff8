"""Text no UTF-8 writer accepts, in two students' shared answer: compared and written, never a crash."""

from __future__ import annotations

import json

import nbformat

from grader.messages import load_catalogue
from grader.similarity.command import Notebook, compare_notebooks, read_handout, write_similarity
from grader.similarity.settings import SimilaritySettings
from tests.similarity.synthetic import example_paths, handout_path, read

ANSWER = ("A ReLU zera as entradas negativas e mantém as positivas; depois da convolução o mapa de "
          "características fica só com os valores positivos, e um neurônio que só recebe entradas "
          "negativas para de aprender (dying ReLU) \ud800 porque o gradiente é zero.\n") * 2


def _with_answer(nb, text: str):
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "resposta" in cell.source.lower():
            cell.source = text
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nb


def test_a_lone_surrogate_in_a_shared_answer_is_compared_and_written(tmp_path):
    source = next(p for p in example_paths("relu-exercicios") if p.stem.startswith("01-correta"))
    notebooks = []
    for name in ("ana", "bia"):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(_with_answer(read(source), ANSWER)), encoding="utf-8")  # "\ud800" escaped
        notebooks.append(Notebook(name, path))
    findings = compare_notebooks(notebooks, read_handout(handout_path("relu-exercicios")), SimilaritySettings())
    assert not findings.skipped
    pair = next(p for p in findings.pairs if {p.a, p.b} == {"ana", "bia"})
    assert pair.text is not None and "\ufffd" in "".join(f.source for f in pair.text.fragments_a)
    (tmp_path / "out").mkdir()
    page = write_similarity(tmp_path / "out", findings, load_catalogue("pt"), "ReLU")
    assert "\ufffd" in page.read_text(encoding="utf-8")
