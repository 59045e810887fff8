"""End to end: cnn-pratica's desafio 3 answered with a LeNet-5 written in PyTorch.

The examples (``assignments/cnn-pratica/examples-pytorch``) are graded once per session by
real kernels against the Keras reference; each must get the verdicts of its Keras twin
(``twin`` in their expected.toml, outcomes in ``../examples/expected.toml``) for the
model checks of desafio 3: structure, parameters, output shape and accuracy.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.examples import assert_documented_outcome, assert_follows_the_contract, expected_outcomes

pytest.importorskip("torch")
pytest.importorskip("safetensors")
pytestmark = pytest.mark.kernel

EXPECTED = expected_outcomes("cnn-pratica", "examples-pytorch")
KERAS = expected_outcomes("cnn-pratica")
MODEL_CHECKS = ("d3-estrutura", "d3-params", "d3-saida", "d3-acuracia")


@pytest.fixture(scope="session")
def graded(graded_examples):
    return graded_examples("cnn-pratica", "examples-pytorch")


def test_results_json_follows_the_contract(graded):
    assert_follows_the_contract(graded, EXPECTED, reference=False)


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_gets_its_documented_outcome(graded, example):
    assert_documented_outcome(graded, example, EXPECTED[example])


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_model_checks_get_the_verdicts_of_the_keras_twin(graded, example):
    twin = KERAS[EXPECTED[example]["twin"]]["checks"]
    checks = {c["id"]: c for c in graded.submission(example)["checks"]}
    assert {k: checks[k]["status"] for k in MODEL_CHECKS} == {k: twin[k] for k in MODEL_CHECKS}


def test_a_correct_lenet_is_counted_and_shaped_as_in_keras(graded):
    for example in ("01-pytorch-sequential", "02-pytorch-subclasse-f-relu", "03-pytorch-entrada-32x32"):
        checks = {c["id"]: c for c in graded.submission(example)["checks"]}
        assert checks["d3-params"]["actual"] == 61706, example  # as Keras counts LeNet-5 with 6 and 16 filters
        assert checks["d3-saida"]["actual"] == [None, 10], example
        layers = checks["d3-estrutura"]["details"]["student"]["layers"]
        assert [l["output_shape"] for l in layers if l["layer"].startswith("Conv2d")] == [
            [None, 28, 28, 6], [None, 10, 10, 16]], example  # channels last, as Keras gives them


def test_an_nn_sequential_is_not_flagged_as_student_code_but_a_subclass_is(graded):
    def flagged(example):
        return any(r["reason"] == "judged_with_student_code" for r in graded.submission(example)["review"])

    assert not flagged("01-pytorch-sequential") and flagged("02-pytorch-subclasse-f-relu")


def test_wrong_filters_get_the_report_a_keras_model_gets(graded):
    checks = {c["id"]: c for c in graded.submission("04-pytorch-filtros-errados")["checks"]}
    assert checks["d3-estrutura"]["score"] == pytest.approx(3 * 7 / 8)  # Keras' 03-filtros-errados: 2.625
    page = (graded.out / "04-pytorch-filtros-errados" / "report.html").read_text(encoding="utf-8")
    found = re.findall(r"A \d+ª camada \w+ difere em: [^<.]+", page)
    assert found[:2] == ["A 1ª camada Conv2d difere em: filtros", "A 2ª camada Conv2d difere em: filtros"], found
