"""The student's report of a wrong LeNet-5 graded with the real cnn-pratica spec: what it says, what it withholds.

Facts are hand-made (no kernel); the checks, scoring and rendering are the real ones.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from pathlib import Path

import html5lib
import pytest

from grader.checks.base import default_registry
from grader.errors import SpecError
from grader.facts import CellRecord, EvaluationFacts, NotebookFacts
from grader.messages import load_catalogue
from grader.outputs import write_outputs
from grader.report import render_submission_report
from grader.report.cells import own_frames
from grader.report.plots import binary_svg, confusion_svg, learning_curves
from grader.scoring import score_submission
from grader.spec import CheckSpec, load_assignment
from tests.checks.conftest import dense_model, lenet_layers, model, section

ROOT = Path(__file__).parents[2]
SPEC = ROOT / "assignments" / "cnn-pratica" / "assignment.toml"
CLASSES_PT = ("camiseta", "calça", "pulôver", "vestido", "casaco", "sandália", "camisa", "tênis", "bolsa", "bota")
TRACEBACK = """---------------------------------------------------------------------------
ValueError                                Traceback (most recent call last)
Cell In[12], line 2
      1 x = 1
----> 2 modelo.fit(x_treino, y_treino, epochs=3)

File /usr/lib/python3/dist-packages/keras/src/utils/traceback_utils.py:122, in filter_traceback.<locals>.error_handler(*args, **kwargs)
--> 122     raise e.with_traceback(filtered_tb) from None

File ~/.venv/lib/python3.11/site-packages/keras/src/layers/input_spec.py:245, in assert_input_compatibility(input_spec)
    243 raise ValueError("bad")

ValueError: Input 0 of layer "dense" is incompatible with the layer"""
SOURCE = "x = 1\nmodelo.fit(x_treino, y_treino, epochs=3)\nprint('fim')"


def confusion() -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(900 if i == j else (100 if j == (i + 1) % 10 else 0) for j in range(10)) for i in range(10))


def per_class() -> tuple[dict, ...]:
    return tuple({"class": c, "precision": 0.9, "recall": 0.9, "f1": 0.9, "support": 1000} for c in range(10))


@pytest.fixture(scope="module")
def assignment():
    return load_assignment(SPEC, default_registry(SPEC.parent))


def reference_facts() -> NotebookFacts:
    valid = [dataclasses.replace(x, padding="valid") if x.class_name == "Conv2D" else x for x in lenet_layers()]
    return NotebookFacts("1" * 64, sections=(
        section("desafio-1", [dense_model(names=("modelo_mlp",), section="desafio-1"),
                              dense_model(units=(64, 10), names=("modelo_cnn",), section="desafio-1", order=1)]),
        section("desafio-3", [model(lenet_layers(), names=("lenet5",)),
                              model(valid, names=("lenet5_valida",), order=1, total_params=44426)]),
    ))


def wrong_lenet_facts() -> NotebookFacts:
    """A LeNet-5 with 8 filters in its first Conv2D, trained 3 epochs; one cell failed; no bonus."""
    evaluation = EvaluationFacts("fashion_mnist_test", 0.81, 10000, "0-1", confusion(), input_form="28x28x1",
                                 per_class=per_class())
    lenet = model(lenet_layers(c1=8), names=("minha_lenet",), evaluations=(evaluation,),
                  history={"loss": (0.9, 0.6, 0.5), "val_loss": (0.8, 0.65, None),
                           "accuracy": (0.7, 0.8, 0.85), "val_accuracy": (0.72, 0.79, 0.81)})
    answers = {"__answers__": {"d1": "O MLP tem mais parâmetros porque não compartilha pesos.", "*": ""}}
    return NotebookFacts(
        "0" * 64, seconds=12.0,
        cells=(CellRecord(3, "desafio-3", "ok"),
               CellRecord(4, "desafio-3", "error", "ValueError", 'Input 0 of layer "dense" is incompatible',
                          TRACEBACK, source=SOURCE)),
        sections=(section("desafio-1", [dense_model(units=(50, 10), names=("mlp",), section="desafio-1")],
                          values=answers),
                  section("desafio-3", [lenet], cells=(3, 4)),
                  section("bonus-bn-dropout", [], attempted=False)),
    )


def graded(assignment, lang="pt"):
    facts, reference = wrong_lenet_facts(), reference_facts()
    result = score_submission(submission_id="ana", path="ana.ipynb", assignment=assignment, facts=facts,
                              reference=reference, registry=default_registry(), catalogue=load_catalogue(lang))
    return result, facts, reference


def render(assignment, lang="pt", **kw) -> str:
    result, facts, reference = graded(assignment, lang)
    return render_submission_report(result, assignment, load_catalogue(lang), facts, reference, **kw)


def visible_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def parse_strictly(html: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


# ---------------------------------------------------------------- no solution leaks
REFERENCE_NUMBERS = ("61.706", "44.426", "61706", "44426", "79.510")  # LeNet-5, its valid variant, the MLP answer


def test_the_students_view_gives_away_no_reference_number_nor_layer(assignment):
    html = render(assignment)
    text = visible_text(html)
    for number in REFERENCE_NUMBERS:
        assert number not in html, number
    # the reference's first layer (6 filters) and its description never appear
    assert "Conv2D(6," not in html and "Modelos de referência" not in text and "lenet5" not in html
    assert "numbers" not in text and "filters" not in text


def test_the_instructors_view_shows_the_reference_side_by_side(assignment):
    text = visible_text(render(assignment, show_hidden=True))
    assert "Modelos de referência" in text and "lenet5" in text
    assert "61.706 ou 44.426" in text  # d3-params: the accepted counts
    assert "A 1ª camada Conv2D tem filtros 8 (a referência usa 6)." in text


def test_the_student_reads_which_layer_differs_and_what_to_change(assignment):
    text = visible_text(render(assignment))
    assert "A 1ª camada Conv2D difere em: filtros." in text
    assert "Conv2D(8, 5×5, same, tanh) diferente" in text
    english = visible_text(render(assignment, "en"))
    assert "Conv2D layer no. 1 differs in: filters." in english


def test_an_answer_shows_the_students_text_not_the_expected_numbers(assignment):
    text = visible_text(render(assignment))
    assert "Sua resposta O MLP tem mais parâmetros porque não compartilha pesos." in text
    assert "Números que a resposta deveria citar" not in text


# ---------------------------------------------------------------- plots
def test_curves_and_confusion_matrix_are_inline_svg(assignment):
    html = render(assignment)
    text = visible_text(html)
    assert html.count("<svg") == 3  # loss, accuracy, confusion matrix
    assert "Curvas de aprendizado" in text and "3 épocas" in text
    assert "Perda (loss)" in text and "treino" in text and "validação" in text
    for name in CLASSES_PT:
        assert name in text
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_learning_curves_skip_missing_epochs_and_are_deterministic():
    cat = load_catalogue("pt")
    history = {"loss": (1.0, None, 0.5, 0.4), "val_loss": (0.9,), "lr": (0.001,) * 4}
    plots = learning_curves(history, cat)
    assert len(plots) == 1  # loss only: no accuracy in this history
    # training: a dot (1.0), a gap (NaN), a line (0.5, 0.4); validation: one epoch, a dot
    assert plots[0].count("<polyline") == 1 and plots[0].count("<circle") == 2
    assert plots == learning_curves(history, cat)
    assert learning_curves({}, cat) == []


def test_confusion_heatmap_marks_the_positive_group_next_to_the_2x2():
    cat = load_catalogue("pt")
    heatmap = confusion_svg(confusion(), list(CLASSES_PT), cat, positive=(0, 2))
    assert "● camiseta" in heatmap and "● pulôver" in heatmap and "● calça" not in heatmap
    assert heatmap.count("<rect") == 100 and "900" in heatmap
    square = binary_svg({"TN": 7000, "FP": 1000, "FN": 200, "TP": 1800}, cat)
    assert all(k in square for k in ("TN", "FP", "FN", "TP")) and "7.000" in square


def test_predictions_outside_the_classes_get_one_other_class_column():
    cat = load_catalogue("pt")
    wider = tuple(row + (7,) for row in confusion())
    heatmap = confusion_svg(wider, list(CLASSES_PT), cat)
    assert heatmap.count("<rect") == 110 and heatmap.count("outra classe") == 1
    assert "other class" in confusion_svg(wider, list(CLASSES_PT), load_catalogue("en"))
    assert confusion_svg(tuple(row + (1, 2) for row in confusion()), list(CLASSES_PT), cat) == ""


def test_a_600_unit_output_model_keeps_its_facts_and_report_small(assignment):
    """A 600-unit output made each report 29 MB: its matrix was 600×600."""
    import numpy as np

    from grader.inspect.evaluate import confusion_matrix, per_class_metrics

    labels = np.arange(10000) % 10
    predicted = np.where(np.arange(10000) % 7 == 0, 100 + np.arange(10000) % 500, labels)  # 500 other outputs used
    evaluation = EvaluationFacts("fashion_mnist_test", 0.86, 10000, "1/255", confusion_matrix(labels, predicted, 10),
                                 input_form="28x28x1", per_class=per_class_metrics(labels, predicted, 10))
    facts = wrong_lenet_facts()
    lenet = dataclasses.replace(facts.sections[1].models[0], evaluations=(evaluation,), output_shape=(None, 600))
    facts = dataclasses.replace(facts, sections=(facts.sections[0], dataclasses.replace(facts.sections[1], models=(lenet,)),
                                                 facts.sections[2]))
    result = score_submission(submission_id="ana", path="ana.ipynb", assignment=assignment, facts=facts,
                              reference=reference_facts(), registry=default_registry(), catalogue=load_catalogue("pt"))
    html = render_submission_report(result, assignment, load_catalogue("pt"), facts, reference_facts(),
                                    show_hidden=True)
    assert len(facts.to_json()["sections"][1]["models"][0]["evaluations"][0]["confusion"]) == 10
    assert len(str(facts.to_json())) < 20_000 and len(html) < 300_000
    assert "outra classe" in visible_text(html)


# ---------------------------------------------------------------- the failed cell
def test_the_failed_cell_shows_the_students_code_and_frames(assignment):
    html = render(assignment)
    text = visible_text(html)
    assert "Célula 5 do notebook" in text and "execução [12]" not in text  # index 4 is the 5th cell; one numbering
    assert "Célula 5, linha 2" in text and "Cell In[12]" not in text  # the frame says it too
    source = re.search(r'<pre class="source"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert "<mark>" in source and "►2" in source and "modelo.fit(x_treino" in source
    assert "dist-packages" not in html and "site-packages" not in html
    assert "site-packages" in render(assignment, show_hidden=True)  # the whole traceback, for a teacher


def test_own_frames_keeps_the_notebooks_frames_and_the_error():
    trimmed, count, line = own_frames(TRACEBACK, "ValueError")
    assert (count, line) == (12, 2)
    assert "Cell In[12], line 2" in trimmed and trimmed.endswith("incompatible with the layer")
    assert "traceback_utils" not in trimmed
    assert own_frames("ZeroDivisionError: division by zero", "ZeroDivisionError")[1] is None


@pytest.mark.parametrize("status, ename, words", [
    ("timeout", "TimeoutError", "passou do tempo limite"),
    ("error", "KernelDied", "O kernel parou durante esta célula"),
])
def test_timeouts_and_dead_kernels_in_plain_words(assignment, status, ename, words):
    result, facts, reference = graded(assignment)
    cells = (CellRecord(4, "desafio-3", status, ename, "the kernel died while running this cell", None),)
    facts = dataclasses.replace(facts, cells=cells)
    result = dataclasses.replace(result, execution=dataclasses.replace(result.execution, cell_errors=()))
    text = visible_text(render_submission_report(result, assignment, load_catalogue("pt"), facts, reference))
    assert words in text and "the kernel died while running" not in text


# ---------------------------------------------------------------- words, bonus, layout
def test_a_bonus_not_attempted_is_neutral(assignment):
    html = render(assignment)
    text = visible_text(html)
    bonus = html[html.index('id="section-bonus-bn-dropout"'):]
    bonus = bonus[:bonus.index("</section>")]
    assert "não tentado" in visible_text(bonus) and "reprovado" not in visible_text(bonus)
    assert "Seção bônus não tentada" in text and "não tentado: 2" in text


def test_no_raw_keys_or_section_ids_in_the_portuguese_report(assignment):
    text = visible_text(render(assignment))
    assert "[report." not in text and "[model" not in text
    assert "“desafio-" not in text and " ok " not in f" {text} "
    assert "numbers:" not in text


@pytest.mark.parametrize("lang", ["pt", "en"])
@pytest.mark.parametrize("show_hidden", [False, True])
def test_both_views_are_valid_html5_with_scrolling_tables(assignment, lang, show_hidden):
    html = render(assignment, lang, show_hidden=show_hidden)
    parse_strictly(html)
    assert html.count("<table") == html.count('<div class="table-scroll')  # each table scrolls inside its card


def test_run_writes_both_views_linked_and_only_the_instructors_links_facts(assignment, tmp_path):
    result, facts, reference = graded(assignment)
    write_outputs(tmp_path, assignment, {"ana": (result, facts)}, reference, "pt")
    student = (tmp_path / "ana" / "report.html").read_text(encoding="utf-8")
    teacher = (tmp_path / "ana" / "report-professor.html").read_text(encoding="utf-8")
    # the student's page is handed to the student: it leads nowhere near the teacher's view
    assert "report-professor" not in student and "facts.json" not in student
    assert 'href="report.html"' in teacher and 'href="facts.json"' in teacher
    assert "61.706" in teacher and "61.706" not in student


# ---------------------------------------------------------------- the spec's reveal key
def test_reveal_defaults_and_validation(tmp_path):
    def default_reveal(kind, params):  # as each kind declares it
        return default_registry().get(kind).default_reveal(params)

    assert default_reveal("answer_text", {}) == "verdict" and default_reveal("model_params", {}) == "verdict"
    assert default_reveal("model_structure", {}) == "verdict"
    assert default_reveal("model_structure", {"mode": "contains"}) == "expected"
    assert default_reveal("accuracy", {}) == "expected" and default_reveal("executes", {}) == "expected"
    assert CheckSpec("x", "s", "value", 1).reveals_expected is False
    assert CheckSpec("x", "s", "value", 1, reveal="expected").reveals_expected is True
    spec = tmp_path / "assignment.toml"
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "r.ipynb").write_text("{}")
    spec.write_text('[assignment]\nid = "a"\nnotebook = "a.ipynb"\nreference = "r.ipynb"\n'
                    '[[sections]]\nid = "s"\n[[checks]]\nid = "c"\nsection = "s"\nkind = "executes"\npoints = 1\n'
                    'reveal = "expect"\n', encoding="utf-8")
    with pytest.raises(SpecError, match=r"\[\[checks\]\] #1 \(c\): 'reveal' must be one of verdict, expected, "
                                        r"got 'expect' \(did you mean 'expected'\?\)"):
        load_assignment(spec, default_registry())
    spec.write_text(spec.read_text().replace('"expect"', '"expected"'), encoding="utf-8")
    assert load_assignment(spec, default_registry()).checks[0].reveal == "expected"
