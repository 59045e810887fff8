"""HTML reports rendered from small hand-made results and facts, in pt-BR and English."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from grader.facts import CellRecord, LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.messages import load_catalogue
from grader.report import Formatter, render_index, render_submission_report, strip_ansi
from grader.results import (
    ExcludedCell,
    AssignmentInfo,
    CellErrorSummary,
    CheckResult,
    ExecutionSummary,
    RunResults,
    SectionInfo,
    SectionScore,
    SubmissionResult,
)
from grader.spec import Assignment, CheckSpec, SectionSpec

SHA = "0" * 64
SECRET_EXPECTED = "segredo-esperado-7731"
SECRET_MESSAGE = "mensagem-oculta-8842"
LATE_EXPECTED = "gabarito-pos-prazo-5519"
TRACEBACK = (
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m\n"
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)\n"
    "Cell \x1b[0;32mIn[7], line 1\x1b[0m\n"
    "\x1b[0;32m----> 1\x1b[0m \x1b[38;5;241m1\x1b[39m\x1b[38;5;241m/\x1b[39m\x1b[38;5;241m0\x1b[39m\n"
    "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"
)


def lenet(key: str, section: str, dense_params: int = 48_120) -> ModelFacts:
    layers = (
        LayerFacts("conv2d", "Conv2D", 156, 156, (None, 28, 28, 6), kind="conv", op="conv2d", width=6,
                   kernel=(5, 5)),
        LayerFacts("pool", "AveragePooling2D", 0, 0, (None, 14, 14, 6), kind="pool", op="avg_pool2d",
                                   kernel=(2, 2)),
        LayerFacts("conv2d_1", "Conv2D", 2_416, 2_416, (None, 10, 10, 16), kind="conv", op="conv2d", width=16),
        LayerFacts("flatten", "Flatten", 0, 0, (None, 400), kind="flatten", op="flatten"),
        LayerFacts("dense", "Dense", dense_params, dense_params, (None, 120), kind="dense", op="dense",
                   width=120),
    )
    total = sum(layer.params for layer in layers)
    return ModelFacts(
        key=key, section=section, order=0, names=(key,), api="sequential", reconstructed=True,
        total_params=total, trainable_params=total, non_trainable_params=0,
        input_shape=(None, 28, 28, 1), output_shape=(None, 120), layers=layers,
    )


def sample_assignment() -> Assignment:
    sections = (
        SectionSpec("desafio-1", "Desafio 1: parâmetros", r"desafio\s*1"),
        SectionSpec("desafio-3", "Desafio 3: LeNet-5", r"desafio\s*3"),
        SectionSpec("bonus", "Bônus: Dropout", "bonus", bonus=True),
    )
    checks = (
        CheckSpec("d1-executa", "desafio-1", "executes", 1),
        CheckSpec("d1-params", "desafio-1", "model_params", 1.5),
        CheckSpec("d1-oculta", "desafio-1", "value", 1, visibility="hidden"),
        CheckSpec("d1-resposta", "desafio-1", "answer_text", 2),
        CheckSpec("d3-estrutura", "desafio-3", "model_structure", 3),
        CheckSpec("d3-saida", "desafio-3", "output_shape", 1),
        CheckSpec("d3-prazo", "desafio-3", "value", 1, visibility="after_due_date"),
        CheckSpec("bonus-acuracia", "bonus", "accuracy", 1),
    )
    return Assignment("cnn-pratica", "CNN prática: LeNet-5", "/tmp", "a.ipynb", "r.ipynb", sections, checks)


STRUCTURE_DIFF = {  # as grader.checks.structure.Comparison.rows() writes it
    "diff": [
        {"reference": "Conv2D(6, 5×5, same, tanh)", "student": "Conv2D(6, 5×5, same, tanh)",
         "status": "ok", "differences": []},
        {"reference": "Conv2D(16, 5×5, valid, tanh)", "student": "Conv2D(8, 5×5, valid, tanh)",
         "status": "differs", "differences": ["filters: 16 ≠ 8"]},
        {"reference": "Dense(84, tanh)", "student": None, "status": "missing", "differences": []},
    ]
}


def sample_result() -> SubmissionResult:
    checks = (
        CheckResult("d1-executa", "desafio-1", "executes", "passed", 1, 1, "Todas as células executaram."),
        CheckResult("d1-params", "desafio-1", "model_params", "failed", 0, 1.5,
                    "O MLP tem 101.770 parâmetros; esperado 72.000.100.",
                    expected={"total": 72_000_100}, actual={"total": 101_770}),
        CheckResult("d1-oculta", "desafio-1", "value", "failed", 0, 1, SECRET_MESSAGE,
                    visibility="hidden", expected=SECRET_EXPECTED, actual="x"),
        CheckResult("d1-resposta", "desafio-1", "answer_text", "review", 0, 2,
                    "Não foi possível confirmar a resposta automaticamente."),
        CheckResult("d3-estrutura", "desafio-3", "model_structure", "partial", 2.25, 3,
                    "3 de 4 camadas correspondem à referência.", details=STRUCTURE_DIFF),
        CheckResult("d3-saida", "desafio-3", "output_shape", "error", 0, 1,
                    "Falha ao inspecionar: <script>alert('x')</script>",
                    expected=[[None, 28, 28, 6], [None, 14, 14, 6]], actual=[[None, 24, 24, 6]]),
        CheckResult("d3-prazo", "desafio-3", "value", "passed", 1, 1, "Valor correto.",
                    visibility="after_due_date", expected=LATE_EXPECTED, actual=LATE_EXPECTED),
        CheckResult("bonus-acuracia", "bonus", "accuracy", "passed", 1, 1, "Acurácia 0,8731 ≥ 0,85.",
                    expected=0.85, actual=0.8731),
    )
    return SubmissionResult(
        id="maria_silva", path="maria_silva.ipynb", sha256=SHA, status="graded",
        score=13.5, max_score=20,
        sections=(SectionScore("desafio-1", 2.5, 5.5, "Desafio 1: parâmetros"),
                  SectionScore("desafio-3", 3.25, 5, "Desafio 3: LeNet-5"),
                  SectionScore("bonus", 1, 1, "Bônus: Dropout", bonus=True)),
        checks=checks,
        execution=ExecutionSummary(42.25, cell_errors=(
            CellErrorSummary(7, "desafio-3", "ZeroDivisionError", "division by zero"),)),
    )


def sample_facts() -> tuple[NotebookFacts, NotebookFacts]:
    student = NotebookFacts(
        sha256=SHA, seconds=42.25,
        cells=(CellRecord(6, "desafio-3", "ok"),
               CellRecord(7, "desafio-3", "error", "ZeroDivisionError", "division by zero", TRACEBACK)),
        sections=(SectionFacts("desafio-3", "Desafio 3", models=(lenet("minha_lenet", "desafio-3", 48_000),)),),
    )
    reference = NotebookFacts(
        sha256="1" * 64,
        sections=(SectionFacts("desafio-3", "Desafio 3", models=(lenet("lenet5", "desafio-3"),)),),
    )
    return student, reference


def render(lang: str = "pt", **kw) -> str:
    student, reference = sample_facts()
    return render_submission_report(
        sample_result(), sample_assignment(), load_catalogue(lang), student, reference, **kw
    )


def visible_text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("lang, score, labels", [
    ("pt", "13,5", ["aprovado", "reprovado", "parcial", "revisão", "erro", "Esperado", "Obtido", "Nota"]),
    ("en", "13.5", ["passed", "failed", "partial", "review", "error", "Expected", "Found", "Score"]),
])
def test_report_shows_scores_statuses_and_labels(lang, score, labels):
    html = render(lang)
    text = visible_text(html)
    assert "maria_silva" in text and "CNN prática: LeNet-5" in text
    assert f"{score} / 20" in text
    assert "3,25 / 5" in text if lang == "pt" else "3.25 / 5" in text
    for label in labels:
        assert label in text
    assert "[report." not in text and "[index." not in text  # every key exists


def test_report_summary_counts_and_review_flag():
    text = visible_text(render("pt"))
    assert "Verificações: ✓ aprovado: 3 ✗ reprovado: 2 ◐ parcial: 1 ? revisão: 1 ! erro: 1" in text
    assert "ignorado:" not in text  # skipped is counted only when there is one
    assert "Aguardando revisão do professor" in text
    assert "Awaiting the teacher's review" in visible_text(render("en"))


def test_report_shows_messages_and_locale_numbers():
    text = visible_text(render("pt"))
    assert "O MLP tem 101.770 parâmetros; esperado 72.000.100." in text  # a hand-made message, shown as is
    assert "total: 101.770" in text and "total: 72.000.100" not in text  # model_params reveals the verdict only
    assert "87,3%" in text and "mínimo para a nota cheia: 85%" in text  # accuracy as percentages
    assert "total: 72.000.100" in visible_text(render("pt", show_hidden=True))
    assert "total: 72,000,100" in visible_text(render("en", show_hidden=True))


def test_report_renders_shapes_readably():
    text = visible_text(render("pt"))
    assert "(None, 28, 28, 6)" in text and "(None, 14, 14, 6)" in text
    assert "(None, 24, 24, 6)" in text


def test_report_structure_diff_table():
    html = render("pt")
    assert 'class="diff"' in html
    text = visible_text(html)
    assert "Comparação camada a camada" in text
    # the student's view: their layer, what differs in words, never the reference's layers
    assert "Conv2D(8, 5×5, valid, tanh) diferente A 2ª camada Conv2D difere em: filtros." in text
    assert "— faltando Falta uma camada Dense nesta posição." in text
    assert "Conv2D(16" not in html and "Dense(84" not in html and "filters" not in text
    teacher = visible_text(render("pt", show_hidden=True))
    assert ("Conv2D(16, 5×5, valid, tanh) Conv2D(8, 5×5, valid, tanh) diferente "
            "A 2ª camada Conv2D tem filtros 8 (a referência usa 16).") in teacher
    assert "Dense(84, tanh) — faltando Falta a camada Dense(84, tanh) nesta posição." in teacher
    assert "Dense layer no. 1" not in visible_text(render("en")) and "Layer-by-layer comparison" in visible_text(render("en"))


def with_checks(*checks: CheckResult) -> SubmissionResult:
    return SubmissionResult("ana", "ana.ipynb", SHA, "graded", 1, 2, (), checks, ExecutionSummary(1.0))


def test_report_diff_rows_of_layer_mappings():
    rows = {"rows": [{"reference": {"class_name": "AveragePooling2D", "pool_size": [2, 2]},
                      "student": {"class_name": "MaxPooling2D", "pool_size": [2, 2]},
                      "status": "equivalent", "differences": "MaxPooling2D em vez de AveragePooling2D"}]}
    check = CheckResult("s", "desafio-3", "model_structure", "passed", 1, 1, "ok", details=rows,
                        expected=["AveragePooling2D(2×2)"], actual=["MaxPooling2D(2×2)"])
    html = render_submission_report(with_checks(check), sample_assignment(), load_catalogue("pt"), None, None,
                                    show_hidden=True)
    text = visible_text(html)
    assert "AveragePooling2D(pool_size=[2, 2]) MaxPooling2D(pool_size=[2, 2]) equivalente" in text
    assert "MaxPooling2D em vez de AveragePooling2D" in text
    assert 'class="compare"' not in html  # the diff replaces the expected/found lists
    student = render_submission_report(with_checks(check), sample_assignment(), load_catalogue("pt"), None, None)
    assert "MaxPooling2D(pool_size=[2, 2]) equivalente" in visible_text(student) and "AveragePooling2D" not in student


def test_report_per_layer_shape_table():
    layers = {"layers": [
        {"layer": "Conv2D(6, 5×5)", "expected": [None, 28, 28, 6], "actual": [None, 24, 24, 6], "status": "differs"},
        {"layer": "Flatten()", "expected": [None, 400], "actual": None, "status": "missing"},
    ]}
    check = CheckResult("o", "desafio-3", "output_shape", "partial", 0.5, 1, "1 de 2",
                        expected=[[None, 28, 28, 6], [None, 400]], actual=[[None, 24, 24, 6]], details=layers)
    for lang, title, status in (("pt", "Formatos de saída camada a camada", "diferente"),
                                ("en", "Output shapes layer by layer", "different")):
        html = render_submission_report(with_checks(check), sample_assignment(), load_catalogue(lang), None, None,
                                        show_hidden=True)
        text = visible_text(html)
        assert title in text
        assert f"Conv2D(6, 5×5) (None, 28, 28, 6) (None, 24, 24, 6) {status}" in text
        assert "Flatten() (None, 400) —" in text
        # output_shape reveals the verdict only: no expected column, a missing layer by its class
        student = visible_text(render_submission_report(with_checks(check), sample_assignment(),
                                                        load_catalogue(lang), None, None))
        assert f"Conv2D(6, 5×5) (None, 24, 24, 6) {status}" in student
        assert "(None, 28, 28, 6)" not in student and "(None, 400)" not in student


def test_report_cell_error_with_clean_traceback():
    html = render("pt")
    assert "\x1b" not in html
    text = visible_text(html)
    # the position as Jupyter shows it (index 7 is the 8th cell), in the frame too; not the grader's execution count
    assert "Célula 8 do notebook" in text and "ZeroDivisionError: division by zero" in text
    assert "execução [7]" not in text and "Célula 8, linha 1" in text and "In [7]" not in text
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", html, re.S).group(1)
    assert "Traceback (most recent call last)" in pre and "----&gt; 1 1/0" in pre


def test_hidden_and_after_due_date_checks_conceal_details():
    html = render("pt")
    for secret in (SECRET_EXPECTED, SECRET_MESSAGE, LATE_EXPECTED):
        assert secret not in html
    text = visible_text(html)
    assert "d1-oculta" in text and "Verificação oculta" in text
    assert "após o prazo de entrega" in text
    shown = render("pt", show_hidden=True)
    for secret in (SECRET_EXPECTED, SECRET_MESSAGE, LATE_EXPECTED):
        assert secret in shown


def test_report_escapes_student_text_and_is_self_contained():
    html = render("pt")
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "<img" not in html
    assert html.lstrip().startswith("<!DOCTYPE html>") and '<html lang="pt-BR">' in html


def test_report_models_side_by_side():
    text = visible_text(render("pt", show_hidden=True))
    assert "Modelos" in text and "Seus modelos" in text and "Modelos de referência" in text
    assert "minha_lenet" in text and "lenet5" in text
    assert "50.572" in text and "50.692" in text  # student and reference totals
    assert "AveragePooling2D" in text and "(None, 10, 10, 16)" in text
    student = visible_text(render("pt"))  # the student's view: their own models only
    assert "Seus modelos" in student and "minha_lenet" in student and "50.572" in student
    assert "Modelos de referência" not in student and "lenet5" not in student and "50.692" not in student


def test_report_error_submission_without_facts():
    result = SubmissionResult(
        id="joao", path="joao.ipynb", sha256=SHA, status="error", score=0, max_score=20,
        sections=(), checks=(), execution=ExecutionSummary(0.0, kernel_died=True),
        error="O notebook não é um JSON válido <linha 3>",
    )
    html = render_submission_report(result, sample_assignment(), load_catalogue("pt"), None, None)
    text = visible_text(html)
    assert "Não foi possível corrigir esta entrega." in text
    assert "O notebook não é um JSON válido &lt;linha 3&gt;" in html
    assert "Kernel encerrado inesperadamente sim" in text
    assert "Nenhuma célula terminou com erro." in text


def sample_run() -> RunResults:
    good = sample_result()
    low = SubmissionResult(
        id="ana maria", path="ana maria.ipynb", sha256=SHA, status="graded", score=4, max_score=20,
        sections=(SectionScore("desafio-1", 0.5, 5.5), SectionScore("desafio-3", 3.5, 5)),
        checks=(CheckResult("d1-params", "desafio-1", "model_params", "failed", 0, 1.5, "x"),),
        execution=ExecutionSummary(10.0),
    )
    broken = SubmissionResult(
        id="zeca", path="zeca.ipynb", sha256=SHA, status="error", score=0, max_score=20,
        sections=(), checks=(), execution=ExecutionSummary(0.0), error="<kernel> não iniciou",
    )
    info = AssignmentInfo("cnn-pratica", "CNN prática: LeNet-5", 20, (
        SectionInfo("desafio-1", "Desafio 1: parâmetros", 5.5),
        SectionInfo("desafio-3", "Desafio 3: LeNet-5", 5),
        SectionInfo("bonus", "Bônus: Dropout", 1, bonus=True),
    ))
    return RunResults("0.1.0", info, (good, broken, low))


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_index_lists_submissions_averages_and_distribution(lang):
    reports = {"maria_silva": "maria_silva/report.html", "ana maria": "ana maria/report.html"}
    html = render_index(sample_run(), load_catalogue(lang), reports)
    text = visible_text(html)
    order = [text.index(name) for name in ("ana maria", "maria_silva", "zeca")]
    assert order == sorted(order)
    assert 'href="ana%20maria/report.html"' in html and 'href="maria_silva/report.html"' in html
    # the one inline script sorts the tables; nothing is loaded from anywhere
    assert "http://" not in html and "https://" not in html and "<script src" not in html
    assert "&lt;kernel&gt; não iniciou" in html
    assert 'class="histogram"' in html
    if lang == "pt":
        assert "13,5 / 20" in text and "Médias por seção" in text
        assert "1,5 / 5,5" in text and "3,38 / 5" in text  # mean of 2.5 and 0.5; of 3.25 and 3.5
        assert "Distribuição das notas" in text and "3 entregas: 2 corrigidas, 1 com erro." in text
    else:
        assert "13.5 / 20" in text and "Section averages" in text and "3.38 / 5" in text


def test_index_histogram_bins():
    html = render_index(sample_run(), load_catalogue("pt"), {})
    heights = re.findall(r'class="fill" style="height: ([\d.]+)%"', html)
    assert len(heights) == 10
    assert heights[2] == "100.0" and heights[6] == "100.0"  # 20% and 67.5%
    assert sum(float(h) for h in heights) == 200.0


def test_formatter_and_ansi():
    fmt = Formatter(load_catalogue("pt"))
    assert fmt.score(13.5) == "13,5" and fmt.score(20.0) == "20" and fmt.score(2.125) == "2,12"
    assert fmt.value(72_000_100.0) == "72.000.100" and fmt.value(True) == "sim"
    assert fmt.shape([None, 5]) == "(None, 5)" and fmt.shape([None]) == "(None,)"
    assert fmt.lines([[None, 2], [None, 3]]) == ["(None, 2)", "(None, 3)"]
    assert fmt.lines(["Dropout", "BatchNormalization"]) == ["Dropout, BatchNormalization"] and fmt.lines([]) == ["—"]
    assert strip_ansi("\x1b[0;31mErro\x1b[0m \x1b]8;;file\x07x\x1b]8;;\x07") == "Erro x"


def test_excluded_cells_and_a_synthetic_cifar10_are_said_in_both_views():
    execution = ExecutionSummary(2.0, excluded_cells=(ExcludedCell(6, "desafio-1", "o experimento completo leva horas"),),
                                 cifar10="synthetic")
    result = SubmissionResult(id="joao", path="joao.ipynb", sha256=SHA, status="graded", score=0, max_score=20,
                              sections=(), checks=(), execution=execution)
    for show_hidden in (False, True):
        text = visible_text(render_submission_report(result, sample_assignment(), load_catalogue("pt"), None, None,
                                                     show_hidden=show_hidden))
        assert "Células não executadas na correção" in text
        assert "Célula 7: não executada na correção (o experimento completo leva horas)." in text
        assert "CIFAR-10 um conjunto SINTÉTICO escrito pelo corretor" in text
    english = visible_text(render_submission_report(result, sample_assignment(), load_catalogue("en"), None, None))
    assert "Cell 7: not executed by the grader (o experimento completo leva horas)." in english
