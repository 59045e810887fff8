"""What counts as the student's own work: the handout's code and text never do."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.similarity.extract import Handout, extract_work, own_code
from tests.similarity.synthetic import ASSIGNMENTS, example_paths, handout_path, read


def notebook(*cells):
    nb = new_notebook(cells=list(cells))
    nbformat.validate(nb)
    return nb


HANDOUT = notebook(
    new_markdown_cell("## Exercício 1\n\nQuanto vale a soma?\n\n**Sua resposta aqui:**", id="q1"),
    new_code_cell("import numpy as np\n\n# Seu código aqui\nsoma = None", id="c1"),
)


def test_an_untouched_handout_has_no_own_work():
    for assignment in ASSIGNMENTS:
        handout = read(handout_path(assignment))
        work = extract_work("h", handout, Handout.of(handout))
        assert work.code == () and work.text == (), assignment


def test_the_untouched_template_examples_have_no_own_work():
    for assignment in ASSIGNMENTS:
        handout = Handout.of(read(handout_path(assignment)))
        template = next(p for p in example_paths(assignment) if "template-intocado" in p.name)
        work = extract_work("t", read(template), handout)
        assert work.code == () and work.text == (), assignment


def test_handout_lines_leave_a_filled_cell():
    nb = notebook(HANDOUT.cells[0], new_code_cell("import numpy as np\n\n# Seu código aqui\nsoma = np.sum([1, 2])",
                                                  id="c1"))
    work = extract_work("ana", nb, Handout.of(HANDOUT))
    assert [c.text for c in work.code] == ["soma = np.sum([1, 2])"]
    assert work.code[0].index == 1


def test_handout_code_copied_into_a_new_cell_does_not_count():
    nb = notebook(*HANDOUT.cells, new_code_cell("import numpy as np\nsoma = None", id="novo"))
    assert extract_work("ana", nb, Handout.of(HANDOUT)).code == ()


def test_magics_and_shell_lines_are_dropped():
    handout = Handout.of(HANDOUT)
    assert own_code("%matplotlib inline\n!pip install tqdm\n  %time x = 1\ny = 2", handout) == ("y = 2",)
    assert own_code("%%bash\nls -la\necho oi", handout) == ()
    assert own_code("%%time\nz = 3", handout) == ("z = 3",)


def test_written_answers_keep_only_the_students_words():
    nb = notebook(new_markdown_cell("## Exercício 1\n\nQuanto vale a soma?\n\n**Sua resposta aqui:** vale três, "
                                    "pois 1 + 2 = 3.", id="q1"), HANDOUT.cells[1])
    work = extract_work("ana", nb, Handout.of(HANDOUT))
    assert [c.text for c in work.text] == ["vale três, pois 1 + 2 = 3."]
    assert work.code == ()


def test_answers_tagged_resposta_count_as_text():
    answer = new_markdown_cell("O total é 72.000.100 parâmetros.", id="r1")
    answer.metadata["tags"] = ["resposta:total"]
    work = extract_work("ana", notebook(*HANDOUT.cells, answer), Handout.of(HANDOUT))
    assert [c.text for c in work.text] == ["O total é 72.000.100 parâmetros."]
