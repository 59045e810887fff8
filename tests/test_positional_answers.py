"""Two questions in one section, answered without the ``resposta:`` tags: each answer is told apart.

Pure: the real cnn-pratica handout, edited the way students edit it; no kernel.
"""

from __future__ import annotations

import copy

import nbformat

from grader.assignments import load
from grader.checks.answer_text import ANSWERS, check_answer_text
from grader.facts import NotebookFacts, SectionFacts
from grader.notebook import answer_anchors, extract_answers, load_notebook, split_sections
from grader.spec import CheckSpec

SPEC, _ = load("cnn-pratica")
HANDOUT = load_notebook(SPEC.notebook_path)
Q1 = "Não alterou: o total continua igual, porque o pooling só reduz altura e largura."
Q2 = "Ele não tem pesos: só calcula o máximo de cada janela, e a saída diminui de tamanho."


def _untagged(edit) -> nbformat.NotebookNode:
    """The handout with every resposta: tag removed (as a student's copy loses them), then ``edit``ed."""
    nb = copy.deepcopy(HANDOUT)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    edit(nb)
    return nb


def _cell(nb, cell_id: str):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _answers(nb) -> dict[str, str]:
    return extract_answers(nb, HANDOUT, split_sections(nb, SPEC))["desafio-2"]


def _check(key: str) -> CheckSpec:
    spec = next(c for c in SPEC.checks if c.param("answer") == key)
    params = {k: v for k, v in spec.params.items() if k != "numbers_from_models"}  # no reference needed
    return CheckSpec(spec.id, spec.section, spec.kind, spec.points, params=params)


def _verdict(answers: dict[str, str], key: str) -> str:
    section = SectionFacts("desafio-2", "D2", values={ANSWERS: answers})
    facts = NotebookFacts(sha256="0" * 64, sections=(section,))
    return check_answer_text(facts, NotebookFacts(sha256="1" * 64), _check(key)).status


def test_the_handout_anchors_each_answer_at_its_question_and_answer_cells():
    by_id, by_line = answer_anchors(HANDOUT)
    assert by_id["d2-pergunta-params"] == by_id["d2-resposta-params"] == "d2-params"
    assert by_id["d2-pergunta-pooling"] == by_id["d2-resposta-pooling"] == "d2-pooling"
    assert by_id["d1-resposta"] == "d1" and "d1-texto" not in by_id  # a section heading is no question
    assert "d2-pooling" in by_line.values()


def test_answers_written_in_the_answer_cells_without_tags():
    def edit(nb):
        _cell(nb, "d2-resposta-params").source = Q1
        _cell(nb, "d2-resposta-pooling").source = Q2

    answers = _answers(_untagged(edit))
    assert answers["@d2-params"] == Q1 and answers["@d2-pooling"] == Q2
    assert Q1 in answers["*"] and Q2 in answers["*"]
    # the second answer's "diminui" contradicted the first question when both read the whole section
    assert _verdict(answers, "d2-params") == "passed"
    assert _verdict(answers, "d2-pooling") == "passed"
    assert _verdict({"*": answers["*"]}, "d2-params") == "partial"  # what the section's text alone gave


def test_answers_under_the_questions_in_new_cells_and_in_the_question_cell_itself():
    def edit(nb):
        question = _cell(nb, "d2-pergunta-params")
        question.source += "\n\n" + Q1  # written under the question, in its own cell
        at = nb.cells.index(_cell(nb, "d2-resposta-pooling"))
        nb.cells.insert(at + 1, nbformat.v4.new_markdown_cell(Q2))  # a new cell under the answer cell

    answers = _answers(_untagged(edit))
    assert answers["@d2-params"] == Q1 and answers["@d2-pooling"] == Q2


def test_retyped_cells_are_placed_by_the_question_words():
    def edit(nb):
        for cell_id, answer in (("d2-pergunta-params", Q1), ("d2-pergunta-pooling", Q2)):
            cell = _cell(nb, cell_id)
            cell.source += "\n" + answer
            cell["id"] = f"novo-{cell_id}"  # a new cell the student made, the question pasted in
        for cell_id in ("d2-resposta-params", "d2-resposta-pooling"):
            nb.cells.remove(_cell(nb, cell_id))

    answers = _answers(_untagged(edit))
    assert answers["@d2-params"] == Q1 and answers["@d2-pooling"] == Q2


def test_all_answers_in_one_cell_at_the_end_still_reach_both_questions():
    def edit(nb):
        _cell(nb, "d2-resposta-pooling").source = f"1. {Q1}\n2. {Q2}"

    answers = _answers(_untagged(edit))
    assert "@d2-params" not in answers  # nothing after the first question: the section's text stands in
    assert _verdict(answers, "d2-pooling") == "passed"
    assert answers["*"].startswith("1.")


def test_tagged_answers_are_read_as_before():
    def edit(nb):
        for cell_id in ("d2-resposta-params", "d2-resposta-pooling"):
            _cell(nb, cell_id).metadata["tags"] = [f"resposta:{cell_id.replace('resposta-', '')}"]
        _cell(nb, "d2-resposta-params").source = Q1

    answers = _answers(_untagged(edit))
    assert answers["d2-params"] == Q1 and answers["d2-pooling"] == ""


RETYPED = ("## Desafio 2 — Perguntas: a adição do pooling mudou o número total de parâmetros? o que acontece com o "
           "formato da saída depois do pooling; por que o pooling não tem parâmetros treináveis?\n\n"
           "### suas respostas\n1.\n2.\n3.")


def _retyped(answers_below: str = "") -> nbformat.NotebookNode:
    """A group's copy: the question and answer cells replaced by one cell of their own, the questions retyped."""
    def edit(nb):
        at = nb.cells.index(_cell(nb, "d2-pergunta-params"))
        for cell_id in ("d2-pergunta-params", "d2-resposta-params", "d2-pergunta-pooling", "d2-resposta-pooling"):
            nb.cells.remove(_cell(nb, cell_id))
        nb.cells.insert(at, nbformat.v4.new_markdown_cell(RETYPED + answers_below))

    return _untagged(edit)


def test_retyped_questions_over_empty_answers_are_no_answer():
    answers = _answers(_retyped())
    assert answers["*"] == ""  # it read "... não tem parâmetros treináveis?" and earned 0.5 + review
    assert _verdict(answers, "d2-pooling") == "failed"
    assert _verdict(answers, "d2-params") == "failed"


def test_answers_under_retyped_questions_are_still_read():
    answers = _answers(_retyped(f"\n\n**Respostas:**\n1. {Q1}\n2. {Q2}"))
    assert "?" not in answers["*"] and Q2 in answers["*"]
    assert _verdict(answers, "d2-pooling") == "passed"


def test_a_question_asked_and_answered_on_one_line_keeps_the_answer():
    def edit(nb):
        _cell(nb, "d2-resposta-pooling").source = f"Por que o pooling não tem parâmetros treináveis? {Q2}"
        _cell(nb, "d2-texto").source = "## Desafio 2 — formato e parâmetros com pooling"  # retitled: no answer

    answers = _answers(_untagged(edit))
    assert answers["@d2-pooling"] == answers["*"] == Q2
