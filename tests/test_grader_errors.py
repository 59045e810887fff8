"""When the grader fails, it says so, sends the check to a teacher, and never blames the student.

Also: the review queue (checks to review, grader errors, notes of the facts), compatibility
warnings, cell-error hints and per-class metrics, from hand-made facts (no kernel).
"""

from __future__ import annotations

import csv
import html as htmllib
import json
import re
from pathlib import Path

import jsonschema
import pytest
from markupsafe import escape

from grader import __version__, console
from grader.checks import default_registry
from grader.export import write_grades_csv
from grader.facts import CellRecord, EvaluationFacts, LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.messages import load_catalogue
from grader.report import render_index, render_submission_report
from grader.results import AssignmentInfo, RunResults, SectionInfo, SubmissionResult
from grader.scoring import score_submission
from grader.spec import Assignment, CheckSpec, SectionSpec

SCHEMA = Path(__file__).resolve().parents[1] / "contracts" / "results.schema.json"
SHA = "cd" * 32
DUMP = "Could not deserialize class 'MinhaCamada' <config: {'units': 10}>"
PER_CLASS = tuple({"class": c, "precision": 0.9 - c / 100, "recall": 0.8, "f1": 0.85, "support": 1000}
                  for c in range(10))


def layers() -> tuple[LayerFacts, ...]:
    return (
        LayerFacts("flatten", "Flatten", 0, 0, (None, 784), kind="flatten", op="flatten"),
        LayerFacts("dense", "Dense", 7850, 7850, (None, 10), kind="dense", op="dense", width=10, activation="softmax"),
    )


def model(names=("modelo",), section="desafio-1", **kw) -> ModelFacts:
    values = dict(key=f"{section}-{names[0] if names else 'x'}", section=section, order=0, names=names,
                  api="sequential", reconstructed=True, has_weights=True, total_params=7850,
                  trainable_params=7850, non_trainable_params=0, input_shape=(None, 28, 28),
                  output_shape=(None, 10), layers=layers())
    values.update(kw)
    return ModelFacts(**values)


SECTIONS = (SectionSpec("desafio-1", "Desafio 1: MLP", r"desafio\s*1"),
            SectionSpec("desafio-2", "Desafio 2: CNN", r"desafio\s*2"))


def spec(*checks: CheckSpec) -> Assignment:
    return Assignment("mini", "Mini", ".", "mini.ipynb", "ref.ipynb", SECTIONS, tuple(checks))


FOUR_ON_ONE_MODEL = spec(
    CheckSpec("d1-params", "desafio-1", "model_params", 1, params={"reference_model": "mlp"}),
    CheckSpec("d1-estrutura", "desafio-1", "model_structure", 1, params={"reference_model": "mlp"}),
    CheckSpec("d1-saida", "desafio-1", "output_shape", 1, params={"reference_model": "mlp"}),
    CheckSpec("d1-acuracia", "desafio-1", "accuracy", 1, params={"reference_model": "mlp", "threshold": 0.8}),
    CheckSpec("d2-acuracia", "desafio-2", "accuracy", 1, params={"threshold": 0.8}),
)
REFERENCE = NotebookFacts("ef" * 32, sections=(SectionFacts("desafio-1", "Desafio 1", models=(model(("mlp",)),)),))


def student_facts(**kw) -> NotebookFacts:
    broken = model(load_error=DUMP, total_params=None, trainable_params=None, non_trainable_params=None)
    unevaluated = model(("cnn",), section="desafio-2")  # weights, but no evaluation: the grader's failure
    values = dict(
        sections=(SectionFacts("desafio-1", "Desafio 1", models=(broken,), attempted=True),
                  SectionFacts("desafio-2", "Desafio 2", models=(unevaluated,), attempted=True)),
    )
    values.update(kw)
    return NotebookFacts(SHA, seconds=5.0, **values)


def grade(facts: NotebookFacts, assignment: Assignment = FOUR_ON_ONE_MODEL, lang: str = "pt",
          sid: str = "aluno") -> SubmissionResult:
    return score_submission(submission_id=sid, path=f"{sid}.ipynb", assignment=assignment, facts=facts,
                            reference=REFERENCE, registry=default_registry(), catalogue=load_catalogue(lang))


def visible_text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def run_results(*subs: SubmissionResult, assignment: Assignment = FOUR_ON_ONE_MODEL) -> RunResults:
    info = AssignmentInfo(assignment.id, assignment.title, assignment.max_score,
                          tuple(SectionInfo(s.id, s.title, m, s.bonus) for s, m in assignment.section_max_scores()))
    return RunResults(__version__, info, tuple(subs))


@pytest.fixture(scope="module")
def broken():
    return grade(student_facts())


# ---------------------------------------------------------------- scoring
def test_grader_side_failures_are_errors_with_a_plain_sentence(broken):
    pt = load_catalogue("pt")
    by_id = {c.id: c for c in broken.checks}
    for cid in ("d1-params", "d1-estrutura", "d1-saida", "d1-acuracia"):
        check = by_id[cid]
        assert (check.status, check.score, check.grader_error) == ("error", 0.0, True)
        assert check.message == pt.render("grader_error.model_load")
        assert check.message.startswith("O corretor não conseguiu carregar este modelo; isso não é um erro seu")
        assert DUMP not in check.message and DUMP in check.details["technical"]
    evaluate = by_id["d2-acuracia"]
    assert (evaluate.status, evaluate.grader_error) == ("error", True)
    assert evaluate.message == pt.render("grader_error.model_evaluate")
    assert broken.grader_errors == 5 and broken.count("error") == 5


def test_the_student_reads_it_in_their_language():
    result = grade(student_facts(), lang="en")
    assert result.checks[0].message == ("The grader could not load this model; this is not your mistake: "
                                        "a teacher will review the score.")


def test_a_missing_reference_is_a_grader_error_too():
    assignment = spec(CheckSpec("d1-params", "desafio-1", "model_params", 1, params={"reference_model": "nada"}))
    check = grade(student_facts(), assignment).checks[0]
    assert check.grader_error and check.details["about"] == "reference"
    assert check.message == load_catalogue("pt").render("grader_error.reference")


def test_an_untrained_model_stays_the_students_failure():
    untrained = model(("cnn",), section="desafio-2", has_weights=False)
    facts = student_facts(sections=(SectionFacts("desafio-2", "Desafio 2", models=(untrained,), attempted=True),))
    check = grade(facts, spec(FOUR_ON_ONE_MODEL.checks[-1])).checks[0]
    assert (check.status, check.grader_error) == ("failed", False)


def test_grader_errors_go_to_the_review_queue(broken):
    items = [(i.check, i.reason) for i in broken.review]
    assert items == [(cid, "grader_error") for cid in ("d1-params", "d1-estrutura", "d1-saida", "d1-acuracia",
                                                        "d2-acuracia")]
    assert DUMP in broken.review[0].text


# ---------------------------------------------------------------- report
def test_technical_details_are_folded_once_in_the_instructors_view(broken):
    html = render_submission_report(broken, FOUR_ON_ONE_MODEL, load_catalogue("pt"), student_facts(), REFERENCE,
                                    show_hidden=True)
    escaped = str(escape(DUMP))
    details = re.search(r'<details class="technical">(.*?)</details>', html, re.S).group(1)
    assert details.count(escaped) == 1 and "Detalhes técnicos" in details  # four checks on one model, one dump
    assert "d1-params, d1-estrutura, d1-saida, d1-acuracia" in visible_text(html)
    english = visible_text(render_submission_report(grade(student_facts(), lang="en"), FOUR_ON_ONE_MODEL,
                                                    load_catalogue("en"), student_facts(), REFERENCE, show_hidden=True))
    assert "Technical details" in english


def test_the_student_sees_plain_sentences_never_the_technical_text(broken):
    # the text may carry what the notebook put there (a class raising a file's content while
    # it is loaded): the student's view says it plainly and shows none of it
    html = render_submission_report(broken, FOUR_ON_ONE_MODEL, load_catalogue("pt"), student_facts(), REFERENCE)
    assert str(escape(DUMP)) not in html and "MinhaCamada" not in html
    assert '<details class="technical">' not in html
    text = visible_text(html)
    # the four checks and the model card say it plainly
    assert text.count("O corretor não conseguiu carregar este modelo; isso não é um erro seu") == 5
    assert "5 verificação(ões) não puderam ser feitas por um problema do corretor" in text
    english = visible_text(render_submission_report(grade(student_facts(), lang="en"), FOUR_ON_ONE_MODEL,
                                                    load_catalogue("en"), student_facts(), REFERENCE))
    assert "not in your submission" in english and "MinhaCamada" not in english


def test_the_technical_text_is_bounded_in_the_instructors_view():
    huge = "x" * 50_000
    facts = student_facts(sections=(SectionFacts("desafio-1", "Desafio 1", attempted=True,
                                                 models=(model(load_error=huge, total_params=None),)),))
    result = grade(facts, spec(FOUR_ON_ONE_MODEL.checks[0]))
    html = render_submission_report(result, spec(FOUR_ON_ONE_MODEL.checks[0]), load_catalogue("pt"), facts,
                                    REFERENCE, show_hidden=True)
    assert "x" * 4000 in html and "x" * 4001 not in html


def test_hidden_checks_and_reference_failures_stay_out_of_the_students_details():
    assignment = spec(
        CheckSpec("d1-oculta", "desafio-1", "model_params", 1, "hidden", {"reference_model": "mlp"}),
        CheckSpec("d1-ref", "desafio-1", "model_params", 1, params={"reference_model": "ref_inexistente"}),
    )
    result = grade(student_facts(), assignment)
    html = render_submission_report(result, assignment, load_catalogue("pt"), student_facts(), REFERENCE)
    assert str(escape(DUMP)) not in html and "ref_inexistente" not in html
    assert "1 verificação(ões) não puderam ser feitas" in visible_text(html)
    teacher = render_submission_report(result, assignment, load_catalogue("pt"), student_facts(), REFERENCE,
                                       show_hidden=True)
    assert str(escape(DUMP)) in teacher and "ref_inexistente" in teacher


# ---------------------------------------------------------------- run summary, CSV, index
def clean() -> SubmissionResult:
    ok = model(evaluations=(EvaluationFacts("fashion_mnist_test", 0.9, 10000, "0-1"),))
    cnn = model(("cnn",), section="desafio-2", evaluations=(EvaluationFacts("fashion_mnist_test", 0.9, 10000, "0-1"),))
    facts = student_facts(sections=(SectionFacts("desafio-1", "Desafio 1", models=(ok,), attempted=True),
                                    SectionFacts("desafio-2", "Desafio 2", models=(cnn,), attempted=True)))
    return grade(facts, sid="bia")


def test_run_summary_counts_grader_errors_apart(broken, capsys, tmp_path):
    console.print_run_summary(run_results(broken, clean()), tmp_path, load_catalogue("pt"))
    printed = capsys.readouterr().out
    assert "2 submissão(ões) corrigida(s); 0 com erro;" in printed
    assert "5 verificação(ões) com erro do corretor (não dos alunos)" in printed
    assert str(tmp_path / "index.html") in printed
    line = next(x for x in printed.splitlines() if x.strip().startswith("aluno"))
    assert "erros do corretor: 5" in line
    assert "erro" not in next(x for x in printed.splitlines() if x.strip().startswith("bia"))


def test_grades_csv_has_a_grader_errors_column_at_the_end(broken, tmp_path):
    path = tmp_path / "grades.csv"
    write_grades_csv(run_results(broken, clean()), path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index("review_count")  # the late policy's columns follow these
    assert rows[0][at:at + 3] == ["review_count", "error", "grader_errors"]
    values = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert values["aluno"]["grader_errors"] == "5" and values["bia"]["grader_errors"] == "0"
    assert values["aluno"]["status"] == "graded"


@pytest.mark.parametrize("lang, title, reason", [("pt", "Fila de revisão", "erro do corretor"),
                                                 ("en", "Review queue", "grader error")])
def test_index_shows_the_review_queue(lang, title, reason):
    result = grade(student_facts(), lang=lang)
    html = render_index(run_results(result, clean()), load_catalogue(lang), {"aluno": "aluno/report.html"})
    queue = html[html.index('id="review-queue"'):]
    queue = queue[:queue.index("</section>")]
    text = visible_text(queue)
    assert title in visible_text(html)
    assert queue.count(f"<strong>{escape(reason)}</strong>") == 5 and "d1-params" in text and "d2-acuracia" in text
    assert 'href="aluno/report.html"' in queue and "bia" not in text
    empty = visible_text(render_index(run_results(clean()), load_catalogue(lang), {}))
    assert ("Nada a revisar." if lang == "pt" else "Nothing to review.") in empty


# ---------------------------------------------------------------- compat warnings and review notes
COMPAT = (
    {"kind": "keras2", "name": "keras.utils.np_utils", "modern": "keras.utils.to_categorical", "detail": ""},
    {"kind": "colab_drive_mount", "name": "drive.mount", "modern": "", "detail": "/content/drive"},
    {"kind": "pip_present", "name": "numpy", "modern": "", "detail": ""},
    {"kind": "pip_present", "name": "numpy", "modern": "", "detail": ""},  # the same use twice: once
    {"kind": "magic", "name": "%tensorflow_version 2.x", "modern": "", "detail": ""},
)
NOTES = ({"kind": "section_by_structure", "section": "desafio-2", "cell": 14, "model": "rede"},
         {"kind": "section_by_structure", "section": "desafio-1", "cell": 3, "model": ""})


def noted_facts() -> NotebookFacts:
    judged = model(("minha_rede",), section="desafio-2", judged_with_student_code=True, api="subclass",
                   evaluations=(EvaluationFacts("fashion_mnist_test", 0.87, 10000, "0-1", input_form="pad32",
                                                per_class=PER_CLASS),))
    return student_facts(
        sections=(SectionFacts("desafio-2", "Desafio 2", models=(judged,), attempted=True),),
        compat=COMPAT, review_notes=NOTES,
    )


ACCURACY = spec(CheckSpec("d2-acuracia", "desafio-2", "accuracy", 1, params={"threshold": 0.85}))


@pytest.mark.parametrize("lang, expected", [
    ("pt", ["Seu notebook usa `keras.utils.np_utils` (Keras 2); em Keras 3 escreva `keras.utils.to_categorical`.",
            "drive.mount foi ignorado: o Google Drive não existe no ambiente de correção.",
            "!pip install numpy: já instalado, nada foi instalado.",
            "O comando mágico `%tensorflow_version 2.x` foi ignorado no ambiente de correção."]),
    ("en", ["Your notebook uses `keras.utils.np_utils` (Keras 2); in Keras 3 write `keras.utils.to_categorical`.",
            "drive.mount was ignored: Google Drive does not exist in the grading environment.",
            "!pip install numpy: already installed, nothing was installed.",
            "The magic command `%tensorflow_version 2.x` was ignored in the grading environment."]),
])
def test_compat_warnings_in_results_and_report(lang, expected):
    result = grade(noted_facts(), ACCURACY, lang)
    assert [w.text for w in result.warnings] == expected
    assert result.warnings[0].modern == "keras.utils.to_categorical"
    text = visible_text(render_submission_report(result, ACCURACY, load_catalogue(lang), noted_facts(), REFERENCE))
    for line in expected:
        assert text.count(line) == 1


@pytest.mark.parametrize("lang, expected", [
    ("pt", ["o modelo minha_rede usa call() próprio; as previsões vieram do código do aluno",
            "a seção Desafio 2: CNN não foi encontrada pelo título; o modelo rede foi encontrado na célula 14",
            "a seção Desafio 1: MLP não foi encontrada pelo título; o modelo foi encontrado na célula 3"]),
    ("en", ["the model minha_rede has its own call(); its predictions came from the student's code",
            "the section Desafio 2: CNN was not found by its heading; the model rede was found in cell 14",
            "the section Desafio 1: MLP was not found by its heading; the model was found in cell 3"]),
])
def test_review_notes_in_results_index_and_instructor_report(lang, expected):
    result = grade(noted_facts(), ACCURACY, lang)
    notes = [i for i in result.review if i.check is None]
    assert [i.text for i in notes] == expected
    assert [i.reason for i in notes] == ["judged_with_student_code", "section_by_structure", "section_by_structure"]
    catalogue = load_catalogue(lang)
    index = visible_text(render_index(run_results(result, assignment=ACCURACY), catalogue, {}))
    for line in expected:
        assert line in index
    teacher = visible_text(render_submission_report(result, ACCURACY, catalogue, noted_facts(), REFERENCE,
                                                    show_hidden=True))
    assert catalogue.render("report.judged_with_student_code") in teacher and expected[1] in teacher
    student = visible_text(render_submission_report(result, ACCURACY, catalogue, noted_facts(), REFERENCE))
    # the judged mark is for the teacher; where a section was found, the student reads too
    assert catalogue.render("report.judged_with_student_code") not in student and expected[1] in student


def test_per_class_metrics_and_input_form_under_the_accuracy_check():
    result = grade(noted_facts(), ACCURACY)
    html = render_submission_report(result, ACCURACY, load_catalogue("pt"), noted_facts(), REFERENCE)
    table = re.search(r'<table class="per-class">(.*?)</table>', html, re.S).group(1)
    text = visible_text(table)
    assert "Classe Precisão Revocação F1 Amostras" in text
    # Fashion-MNIST classes by their Portuguese names, from the catalogue
    assert "camiseta 0,900 0,800 0,850 1.000" in text and "bota 0,810 0,800 0,850 1.000" in text
    assert "imagens de teste entregues como 32×32 com bordas de zeros" in visible_text(html)
    english = render_submission_report(grade(noted_facts(), ACCURACY, "en"), ACCURACY, load_catalogue("en"),
                                       noted_facts(), REFERENCE)
    assert "Precision Recall F1 Samples" in visible_text(english)
    assert "test images given as 32×32 with zero borders" in visible_text(english)


def test_no_per_class_table_without_the_facts(broken):
    html = render_submission_report(clean(), FOUR_ON_ONE_MODEL, load_catalogue("pt"), None, None)
    assert 'class="per-class"' not in html


@pytest.mark.parametrize("form, text", [
    ("28x28x1", "imagens de teste entregues como 28×28×1 (o formato original)"),
    ("flat784", "imagens de teste entregues achatadas, como vetores de 784 valores"),
    ("channels_first", "imagens de teste entregues como 1×28×28 (canal primeiro)"),
    ("28x28x3", "imagens de teste entregues como 28×28, sem eixo de canal, com o cinza repetido em 3 canais"),
    ("resize32", "imagens de teste redimensionadas para 32×32"),
    ("estranho", "imagens de teste entregues no formato estranho"),
])
def test_input_form_texts(form, text):
    from grader.report import Formatter

    assert Formatter(load_catalogue("pt")).input_form(form) == text


# ---------------------------------------------------------------- cell-error hints
def test_cell_error_hint_in_the_executes_message_the_summary_and_the_report():
    assignment = spec(CheckSpec("d1-executa", "desafio-1", "executes", 1))
    cells = (CellRecord(0, "desafio-1", "ok"),
             CellRecord(1, "desafio-1", "error", "ModuleNotFoundError", "No module named 'cv2'",
                        "\x1b[0;31mModuleNotFoundError\x1b[0m: No module named 'cv2'"))
    facts = student_facts(cells=cells, sections=(SectionFacts("desafio-1", "Desafio 1", cells=(0, 1),
                                                              attempted=True),))
    for lang, label in (("pt", "Dica: o pacote cv2 (OpenCV) não está disponível"),
                        ("en", "Hint: the package cv2 (OpenCV) is not available")):
        result = grade(facts, assignment, lang)
        message = result.checks[0].message
        assert message.splitlines()[0].endswith("ModuleNotFoundError: No module named 'cv2'")
        assert message.splitlines()[1].startswith(label)
        assert result.execution.cell_errors[0].hint.startswith(label.split(": ", 1)[1])
        html = render_submission_report(result, assignment, load_catalogue(lang), facts, REFERENCE)
        cell = visible_text(html[html.index('class="cell-error"'):])
        assert label.split(": ", 1)[1] in cell


def test_an_ordinary_bug_gets_no_hint():
    assignment = spec(CheckSpec("d1-executa", "desafio-1", "executes", 1))
    facts = student_facts(cells=(CellRecord(0, "desafio-1", "error", "ZeroDivisionError", "division by zero"),),
                          sections=(SectionFacts("desafio-1", "Desafio 1", cells=(0,), attempted=True),))
    result = grade(facts, assignment)
    assert "\n" not in result.checks[0].message and result.execution.cell_errors[0].hint is None


# ---------------------------------------------------------------- results.json
def test_results_with_grader_errors_warnings_and_notes_validate(broken):
    noted = grade(noted_facts(), ACCURACY, sid="nota")
    data = json.loads(json.dumps(run_results(broken, noted).to_json()))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    first, second = data["submissions"]
    assert first["checks"][0]["grader_error"] is True and first["checks"][0]["details"]["technical"]
    assert first["review"][0] == {"check": "d1-params", "reason": "grader_error", "section": "desafio-1",
                                  "text": broken.review[0].text}
    assert [w["kind"] for w in second["warnings"]] == ["keras2", "colab_drive_mount", "pip_present", "magic"]
    assert RunResults.from_json(data).submissions[1] == noted  # lossless round trip


def test_run_summary_counts_the_review_queue(capsys, tmp_path):
    noted = grade(noted_facts(), ACCURACY)
    console.print_run_summary(run_results(noted, assignment=ACCURACY), tmp_path, load_catalogue("pt"))
    printed = capsys.readouterr().out
    assert f"{len(noted.review)} item(ns) na fila de revisão" in printed and len(noted.review) >= 3
    assert f"revisar: {len(noted.review)}" in next(x for x in printed.splitlines() if x.strip().startswith("aluno"))


def test_the_student_reads_where_a_section_without_its_heading_was_found():
    html = render_submission_report(grade(noted_facts(), ACCURACY), ACCURACY, load_catalogue("pt"), noted_facts(),
                                    REFERENCE)
    text = visible_text(html)
    assert "célula 14" in text and "call() próprio" not in text
