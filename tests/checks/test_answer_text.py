"""``answer_text``: expected numbers and ideas in a free-text answer."""

import pytest

from grader.checks.answer_text import check_answer_text

D1 = dict(
    answer="d1",
    numbers_from_models=["modelo_mlp", "modelo_cnn"],
    any_of=[["menos", "menor", "fewer"], ["compartilh", "shar", "mesmos pesos", "local"]],
)
D2 = dict(
    answer="d2-params",
    numbers=[2416],
    any_of=[["nao", "no", "not", "mesm", "same", "continua", "igual"]],
    none_of=["sim", "yes", "aumenta", "diminui", "muda", "mudou", "changed"],
)


@pytest.fixture
def reference(make):
    mlp = make.dense_model(names=("modelo_mlp",), section="desafio-1")  # 79,510 parameters
    cnn = make.model(make.lenet_layers(), names=("modelo_cnn",), section="desafio-1", order=1)  # 61,706
    return make.notebook(make.section("desafio-1", [mlp, cnn]))


def _check(make, reference, answers, templates=None, params=D1):
    values = {"__answers__": answers, "__template_answers__": templates or {}}
    student = make.notebook(make.section("desafio-1", values=values))
    return check_answer_text(student, reference, make.spec("answer_text", "desafio-1", **params))


def test_complete_answer_passes(make, reference, render):
    text = "O MLP tem 79.510 parâmetros e a CNN só 61 706: bem menos, porque os pesos são compartilhados."
    outcome = _check(make, reference, {"d1": text})
    assert outcome.status == "passed"
    assert outcome.expected["numbers"] == [79510, 61706]
    assert render(outcome, "pt") == "A resposta menciona tudo o que era esperado."
    assert render(outcome, "en") == "The answer states everything that was expected."


def test_incomplete_answer_goes_to_review(make, reference, render):
    outcome = _check(make, reference, {"d1": "A CNN tem menos parâmetros que o MLP."})
    assert (outcome.status, outcome.fraction) == ("review", 0.25)
    assert render(outcome, "pt") == (
        "Um professor vai revisar a sua resposta: não encontramos automaticamente todos os pontos esperados (1 de 4)."
    )
    assert [i["status"] for i in outcome.details["items"]] == ["missing", "missing", "found", "missing"]


def test_wrong_large_number_is_a_contradiction(make, reference, render):
    outcome = _check(make, reference, {"d1": "O MLP tem 79,510 parâmetros e a CNN 12.000, bem menos."})
    assert (outcome.status, outcome.fraction) == ("partial", 0.5)
    assert outcome.details["contradictions"] == [{"kind": "number", "value": 12000}]
    # what the student wrote, formatted as a Brazilian reads it, and why it contradicts
    assert render(outcome, "pt").endswith(
        "contradiz o resultado esperado: você escreveu 12.000, um número que não é o esperado.")
    assert "you wrote 12,000, a number that is not the expected one" in render(outcome, "en")


def test_a_contradicting_large_number_is_grouped_in_the_readers_locale(make, reference, render):
    outcome = _check(make, reference, {"d1": "O MLP tem 48000100 parâmetros."})
    assert "você escreveu 48.000.100, um número que não é o esperado" in render(outcome, "pt")
    assert "(48000100)" not in render(outcome, "pt")


def test_contradiction_alone_fails(make, reference, render):
    outcome = _check(make, reference, {"d2-params": "Sim, aumenta bastante."}, params=D2)
    assert (outcome.status, outcome.message) == ("failed", "answer_text.contradicted")
    assert render(outcome, "pt") == ("A resposta contradiz o resultado esperado: você escreveu “sim”, que afirma o "
                                     "contrário do esperado; você escreveu “aumenta”, que afirma o contrário do esperado.")
    assert render(outcome, "en").startswith("The answer contradicts the expected result: you wrote “sim”, which")


def test_contradiction_costs_credit_even_when_everything_is_found(make, reference):
    outcome = _check(make, reference, {"d2-params": "Continua 2.416, mas mudou."}, params=D2)
    assert (outcome.status, outcome.fraction) == ("partial", 2 / 3)


def test_negated_contradicting_word_is_not_a_contradiction(make, reference):
    outcome = _check(make, reference, {"d2-params": "Não muda: continua com 2416 parâmetros, não aumenta."}, params=D2)
    assert outcome.status == "passed"


def test_empty_or_template_answer_fails(make, reference, render):
    template = {"d1": "*Escreva sua resposta aqui*"}
    outcome = _check(make, reference, {"d1": "  *Escreva sua resposta  aqui* "}, template)
    assert (outcome.status, outcome.message) == ("failed", "answer_text.empty")
    assert "Não encontramos resposta escrita" in render(outcome, "pt")
    assert _check(make, reference, {}).message == "answer_text.empty"


def test_falls_back_to_the_whole_section_text(make, reference):
    text = "79510 e 61706; a CNN tem menos, pesos compartilhados."
    outcome = _check(make, reference, {"d1": "", "*": text})
    assert outcome.status == "passed"


def test_missing_reference_model_is_an_error(make, reference, render):
    params = {**D1, "numbers_from_models": ["modelo_que_falta"]}
    outcome = _check(make, reference, {"d1": "menos"}, params=params)
    assert (outcome.status, outcome.message) == ("error", "model.reference_missing")
    assert "modelo_que_falta" in render(outcome, "en")


@pytest.mark.parametrize("answers", [{"d1": "Bem menos, pesos compartilhados."}, {"d1": ""}])
def test_keyword_lists_are_never_shown_as_expected(make, reference, answers):
    outcome = _check(make, reference, answers)
    assert outcome.expected == {"numbers": [79510, 61706]}
    assert "compartilh" not in str(outcome.expected)
    assert outcome.details["any_of"] == D1["any_of"]  # kept for instructors (results.json)
