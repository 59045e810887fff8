"""Reading submissions, splitting them into sections and finding written answers."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.errors import NotebookError
from grader.notebook import (
    attempted_sections,
    code_signature,
    extract_answers,
    load_notebook,
    split_sections,
    template_answers,
)
from grader.spec import Assignment, SectionSpec

ASSIGNMENT = Assignment(
    id="mini",
    title="Mini",
    root=".",
    notebook="mini.ipynb",
    reference="ref.ipynb",
    sections=(
        SectionSpec("desafio-1", "Desafio 1: parâmetros", r"(?i)desafio\s*1\b"),
        SectionSpec("desafio-2", "Desafio 2: pooling", r"(?i)desafio\s*2\b"),
    ),
    checks=(),
)


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def notebook(*cells, **metadata):
    return new_notebook(cells=list(cells), metadata=metadata)


def write(tmp_path, data, name="aluno.ipynb"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    return path


def load_error(path) -> str:
    with pytest.raises(NotebookError) as info:
        load_notebook(path)
    message = str(info.value)
    assert path.name in message, message
    return message


# ---------------------------------------------------------------- load_notebook
def test_loads_a_valid_notebook(tmp_path):
    nb = notebook(new_markdown_cell("# Título"), new_code_cell("x = 1"),
                  kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"})
    loaded = load_notebook(write(tmp_path, nbformat.writes(nb)))
    assert [c.source for c in loaded.cells] == ["# Título", "x = 1"]


def test_not_json(tmp_path):
    message = load_error(write(tmp_path, "{ isto não é json"))
    assert "not valid JSON" in message and "line 1" in message


def test_json_but_not_a_notebook(tmp_path):
    assert "not a Jupyter notebook" in load_error(write(tmp_path, {"nome": "aluno", "nota": 10}))
    assert "not a Jupyter notebook" in load_error(write(tmp_path, [1, 2, 3], name="lista.ipynb"))


def test_invalid_nbformat(tmp_path):
    data = {"cells": [{"id": "c1", "cell_type": "bogus", "source": "x", "metadata": {}}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert "not a valid notebook" in load_error(write(tmp_path, data))


def test_non_utf8_bytes(tmp_path):
    raw = nbformat.writes(notebook(new_markdown_cell("Observação"))).encode("latin-1")
    message = load_error(write(tmp_path, raw))
    assert "not UTF-8" in message and "byte" in message


def test_r_notebook_is_refused(tmp_path):
    nb = notebook(new_code_cell("x <- 1"), kernelspec={"name": "ir", "display_name": "R", "language": "R"})
    message = load_error(write(tmp_path, nbformat.writes(nb)))
    assert "'R'" in message and "Python" in message


def test_missing_file(tmp_path):
    assert "cannot read" in load_error(tmp_path / "nada.ipynb")


def test_nbformat_3_is_converted(tmp_path):
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": "antigo"},
        "worksheets": [{
            "metadata": {},
            "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": "## Desafio 1"},
                {"cell_type": "code", "collapsed": False, "input": "x = 1", "language": "python",
                 "metadata": {}, "outputs": []},
            ],
        }],
    }
    nb = load_notebook(write(tmp_path, v3))
    assert nb.nbformat == 4
    assert [(c.cell_type, c.source) for c in nb.cells] == [("markdown", "## Desafio 1"), ("code", "x = 1")]


def test_a_lone_surrogate_becomes_a_replacement_character_where_the_notebook_is_read(tmp_path):
    """JSON carries ``\\ud800`` escaped; nbformat would read it into a str no UTF-8 writer accepts."""
    nb = notebook(new_markdown_cell("## Desafio 1"), new_code_cell("s = 'ok \ud800'  # comentário"),
                  tagged(new_markdown_cell("São 25.450 parâmetros \udfff."), "resposta:d1"),
                  kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"})
    path = write(tmp_path, json.dumps(nb))  # escaped, as Jupyter would write it
    assert "\\ud800" in path.read_text(encoding="utf-8")
    loaded = load_notebook(path)
    assert [c.source for c in loaded.cells[1:]] == ["s = 'ok \ufffd'  # comentário", "São 25.450 parâmetros \ufffd."]
    answers = extract_answers(loaded, notebook(), split_sections(loaded, ASSIGNMENT))
    assert answers["desafio-1"]["d1"].encode("utf-8") == "São 25.450 parâmetros \ufffd.".encode("utf-8")


def test_an_escaped_backslash_before_u_d800_is_text_not_a_surrogate(tmp_path):
    nb = notebook(new_code_cell("print('\\\\ud800')"))
    assert load_notebook(write(tmp_path, json.dumps(nb))).cells[0].source == "print('\\\\ud800')"


def test_a_notebook_nested_too_deeply_is_a_notebook_error(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    message = load_error(write(tmp_path, '{"cells": [], "metadata": ' + deep + "}"))
    assert "nested too deeply" in message or "not valid" in message


# ---------------------------------------------------------------- split_sections
def test_split_sections_follows_heading_levels_tags_and_repeats():
    nb = notebook(
        new_markdown_cell("# CNN prática"),                         # 0 ungraded intro
        new_code_cell("import numpy as np"),                        # 1
        new_markdown_cell("## Desafio 1\nCompare os parâmetros."),  # 2 desafio-1 (level 2)
        new_code_cell("modelo_mlp = 1"),                            # 3
        new_markdown_cell("### Dica\nUse `count_params()`."),       # 4 deeper: stays in desafio-1
        new_code_cell("# Desafio 2 num comentário não é título"),    # 5 code: not a heading
        new_markdown_cell("## Pooling"),                            # 6 same level: ends desafio-1
        new_code_cell("pool = 2"),                                  # 7
        new_markdown_cell("## Desafio 1 (cont.)"),                  # 8 desafio-1 again
        new_code_cell("modelo_cnn = 2"),                            # 9
        tagged(new_markdown_cell("Agora é com você."), "section:desafio-2"),  # 10 tag starts desafio-2
        new_code_cell("modelo_pool = 3"),                           # 11
    )
    segments = split_sections(nb, ASSIGNMENT)
    assert [(s.key, s.section, s.cells) for s in segments] == [
        ("_seg0", None, (0, 1)),
        ("desafio-1", "desafio-1", (2, 3, 4, 5)),
        ("_seg2", None, (6, 7)),
        ("desafio-1~1", "desafio-1", (8, 9)),
        ("desafio-2", "desafio-2", (10, 11)),
    ]
    assert segments[1].title == "Desafio 1"
    assert segments[2].title == "Pooling"
    assert segments[4].title == "Desafio 2: pooling"  # a tagged cell takes the spec's title


def test_a_higher_level_heading_ends_a_section():
    nb = notebook(
        new_markdown_cell("### Desafio 2"),
        new_code_cell("a = 1"),
        new_markdown_cell("## Conclusão"),
        new_code_cell("b = 2"),
    )
    segments = split_sections(nb, ASSIGNMENT)
    assert [(s.section, s.cells) for s in segments] == [("desafio-2", (0, 1)), (None, (2, 3))]


def test_cells_before_any_heading_form_an_ungraded_segment():
    nb = notebook(new_code_cell("setup = True"), new_markdown_cell("## Desafio 2"))
    segments = split_sections(nb, ASSIGNMENT)
    assert [(s.key, s.section, s.cells) for s in segments] == [("_seg0", None, (0,)), ("desafio-2", "desafio-2", (1,))]


# ---------------------------------------------------------------- answers
ANSWER_PROMPT = "**Resposta:** escreva aqui por que a CNN tem menos parâmetros."


def answer_template():
    return notebook(
        new_markdown_cell("## Desafio 1"),
        new_code_cell("# TODO: construa o modelo\npass"),
        tagged(new_markdown_cell(ANSWER_PROMPT), "resposta:d1"),
        new_markdown_cell("## Desafio 2"),
        new_code_cell("modelo_pool = construir()  # já pronto"),
    )


def answers_of(nb):
    template = answer_template()
    return extract_answers(nb, template, split_sections(nb, ASSIGNMENT))


def test_unchanged_answer_cell_counts_as_empty():
    answers = answers_of(answer_template())
    assert answers["desafio-1"] == {"d1": "", "*": ""}
    assert answers["desafio-2"] == {"*": ""}


def test_unchanged_answer_ignores_accents_case_and_spacing():
    nb = answer_template()
    nb.cells[2].source = "  **resposta:**   escreva aqui por que a CNN tem MENOS parametros. "
    assert answers_of(nb)["desafio-1"]["d1"] == ""


def test_changed_answer_cell_is_the_answer():
    nb = answer_template()
    nb.cells[2].source = "A CNN compartilha pesos, então tem menos parâmetros."
    answers = answers_of(nb)["desafio-1"]
    assert answers["d1"] == "A CNN compartilha pesos, então tem menos parâmetros."
    assert answers["*"] == ""  # a tagged answer is not a fallback for the section's other questions


def test_new_untagged_prose_cell_goes_to_star():
    nb = answer_template()
    nb.cells.insert(3, new_markdown_cell("Minha resposta: conexões locais."))
    answers = answers_of(nb)["desafio-1"]
    assert answers["d1"] == ""
    assert answers["*"] == "Minha resposta: conexões locais."


def test_an_untouched_answer_does_not_borrow_another_questions_answer():
    nb = answer_template()
    nb.cells.insert(3, tagged(new_markdown_cell("Outra pergunta"), "resposta:d1b"))
    template = answer_template()
    template.cells.insert(3, tagged(new_markdown_cell("Outra pergunta"), "resposta:d1b"))
    nb.cells[3].source = "Sim, o pooling aumentou o número de parâmetros."
    answers = extract_answers(nb, template, split_sections(nb, ASSIGNMENT))["desafio-1"]
    assert answers["d1"] == "" and answers["*"] == ""
    assert answers["d1b"].startswith("Sim")


def test_template_answers():
    assert template_answers(answer_template()) == {"d1": ANSWER_PROMPT}


# ---------------------------------------------------------------- attempts
def test_code_signature_drops_comments_blank_lines_and_pass():
    source = "# TODO: seu código\n\n    x = conv(6)   \n  # outro comentário\n    pass\n"
    assert code_signature(source) == "x = conv(6)"
    assert code_signature("# só comentário\npass\n\n") == ""


def test_untouched_template_is_not_an_attempt():
    nb = answer_template()
    assert attempted_sections(nb, answer_template(), split_sections(nb, ASSIGNMENT)) == set()


@pytest.mark.parametrize(
    "edit",
    ["# TODO: construa o modelo\n# ainda pensando...\npass", "\n\n# TODO: construa o modelo\n\n    pass\n"],
    ids=["comment", "blank-lines"],
)
def test_comment_or_pass_edits_are_not_attempts(edit):
    nb = answer_template()
    nb.cells[1].source = edit
    assert attempted_sections(nb, answer_template(), split_sections(nb, ASSIGNMENT)) == set()


def test_new_code_is_an_attempt():
    nb = answer_template()
    nb.cells[1].source = "# TODO: construa o modelo\nmodelo_mlp = Sequential()"
    assert attempted_sections(nb, answer_template(), split_sections(nb, ASSIGNMENT)) == {"desafio-1"}


def test_code_outside_sections_is_not_an_attempt():
    nb = answer_template()
    nb.cells.insert(0, new_code_cell("import tensorflow as tf"))
    assert attempted_sections(nb, answer_template(), split_sections(nb, ASSIGNMENT)) == set()


def test_handout_text_never_counts_as_an_answer():
    from grader.notebook import own_text

    handout = {"**pergunta 2.** por que a camada de pooling nao tem parametros treinaveis?", "**sua resposta aqui:**"}
    question = "**Pergunta 2.** Por que a camada de pooling não tem parâmetros treináveis?"
    assert own_text(question, handout) == ""
    assert own_text("**Sua resposta aqui:**", handout) == ""
    assert own_text(question + "\n\nR: porque só calcula o máximo.", handout) == "R: porque só calcula o máximo."
    assert own_text("**Sua resposta aqui:** é uma regra fixa", handout) == "é uma regra fixa"
