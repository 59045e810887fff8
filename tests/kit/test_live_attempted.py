"""``verificar()`` gives an untried bonus the report's verdict, reading the open notebook (no kernel).

The kit is built from the hand-made reference facts of ``test_student_report``; the notebook
the kernel runs is named by ``__session__``, as Jupyter names it.
"""

from __future__ import annotations

import shutil

import nbformat

from grader.kit.contents import build_contents
from grader.kit.files import write_kit
from grader.kit.live import verificar
from grader.kit.sealed import new_key
from tests.report.test_student_report import ROOT, assignment, reference_facts  # noqa: F401 (fixture)

HANDOUT = ROOT / "assignments" / "cnn-pratica" / "cnn-pratica.ipynb"


def _kit(assignment, folder):  # noqa: F811
    write_kit(build_contents(assignment, reference_facts(), new_key()), HANDOUT, folder)
    return folder


def _bonus_cell(nb) -> int:
    heading = next(n for n, c in enumerate(nb.cells) if c.cell_type == "markdown" and "Bônus" in c.source)
    return next(n for n in range(heading, len(nb.cells)) if nb.cells[n].cell_type == "code")


def test_an_untried_bonus_is_not_tried_in_verificar_as_in_the_report(assignment, tmp_path, capsys):  # noqa: F811
    kit = _kit(assignment, tmp_path / "kit")
    notebook = tmp_path / "aluno.ipynb"
    shutil.copy(HANDOUT, notebook)  # the bonus as handed out
    summary = verificar("bonus-bn-dropout", kit=kit, namespace={"__session__": str(notebook)})
    assert "○ [não tentado] bonus-bn-dropout" in summary.text and "Seção bônus não tentada" in summary.text
    assert "reprovado" not in summary.text and "Nenhum modelo" not in summary.text


def test_a_tried_bonus_without_a_model_fails_in_verificar(assignment, tmp_path):  # noqa: F811
    kit = _kit(assignment, tmp_path / "kit")
    nb = nbformat.read(HANDOUT, as_version=4)
    nb.cells[_bonus_cell(nb)].source = "modelo_bonus = None  # ainda não terminei"
    notebook = tmp_path / "aluno.ipynb"
    nbformat.write(nb, notebook)
    summary = verificar("bonus-bn-dropout", kit=kit, namespace={"__session__": str(notebook)})
    assert "✘ [reprovado] bonus-bn-dropout" in summary.text and "não tentado" not in summary.text
