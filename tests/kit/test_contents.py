"""A kit's sealed reference gives the check kinds the verdicts the plain reference gives (hand-made facts, no kernel)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from grader.checks.base import default_registry
from grader.facts import NotebookFacts
from grader.kit.contents import build_contents
from grader.kit.files import load_kit, write_kit
from grader.kit.live import KitNotFound, find_kit
from grader.kit.sealed import Undecidable, is_sealed, new_key
from grader.spec import Assignment, CheckSpec, SectionSpec
from tests.checks.conftest import dense_model, lenet_layers, model, notebook, section

EQUIVALENT = [["tanh", "relu", "sigmoid"], ["AveragePooling2D", "MaxPooling2D"], ["same", "valid"]]
REGISTRY = default_registry()


def check(cid, kind, sid="desafio-3", reveal=None, visibility="visible", **params) -> CheckSpec:
    return CheckSpec(cid, sid, kind, 1.0, visibility, params, reveal or REGISTRY.get(kind).default_reveal(params))


CHECKS = (
    check("estrutura", "model_structure", reference_model="lenet5", equivalent=EQUIVALENT, require_structure=0.6),
    check("estrutura-estrita", "model_structure", reference_model="lenet5"),
    check("params", "model_params", reference_model="lenet5", require_structure=0.6, equivalent=EQUIVALENT),
    check("saida", "output_shape", reference_model="lenet5", layers="last"),
    check("formatos", "output_shape", reference_model="lenet5", layers="all"),
    check("params-mlp", "model_params", "desafio-1", reference_model="mlp"),
    check("mapa", "value", "desafio-1", variable="mapa", reference_variable="mapa", rel_tol=1e-6, abs_tol=1e-9),
    check("ativos", "value", "desafio-1", variable="ativos", reference_variable="ativos"),
    check("nome", "value", "desafio-1", variable="nome", expected="Sandália"),
    check("relu", "function", "desafio-1", function="relu", inputs=[[[1.0, -2.0]]], hidden_inputs=[[[-7.25, 3.5]]]),
    check("resposta", "answer_text", "desafio-1", answer="d1", numbers_from_models=["mlp"],
          any_of=[["compartilh", "mesmos pesos"]], none_of=["aumenta"]),
    check("oculta", "value", "desafio-1", visibility="hidden", variable="segredo", expected=31337),
    check("compilacao", "compile_config", "desafio-1", reveal="verdict", optimizer="Adam"),
)
SPEC = Assignment("t", "T", ".", "t.ipynb", "", (SectionSpec("desafio-1", "Desafio 1", "1"),
                                                  SectionSpec("desafio-3", "Desafio 3", "3")), CHECKS)


def reference() -> NotebookFacts:
    facts = notebook(
        section("desafio-1", [dense_model((100, 10), names=("mlp",), section="desafio-1")],
                values={"mapa": [[0.0, 1.5], [2.25, -0.125]], "ativos": 3}),
        section("desafio-3", [model(lenet_layers(), names=("lenet5",), order=1)]))
    return dataclasses.replace(facts, calls={"relu": {"defined": True, "results": [{"value": [1.0, 0.0]},
                                                                                   {"value": [0.0, 3.5]}]}})


def answer(text: str) -> dict:
    return {"__answers__": {"d1": text}, "__template_answers__": {}}


STUDENTS = {
    "igual": notebook(section("desafio-1", [dense_model((100, 10), names=("m",), section="desafio-1")],
                              values={"mapa": [[0.0, 1.5000000001], [2.25, -0.125]], "ativos": 3.0, "nome": "sandalia",
                                      **answer("79.510 parâmetros: compartilha pesos")}),
                      section("desafio-3", [model(lenet_layers(), names=("x",))])),
    "relu-e-8-filtros": notebook(section("desafio-1", [dense_model((64, 10), names=("m",), section="desafio-1")],
                                         values={"mapa": [[0.0, 1.6], [2.25, -0.125]], "ativos": 4, "nome": "Bota",
                                                 **answer("79510, e aumenta")}),
                                 section("desafio-3", [model(lenet_layers("relu", "MaxPooling2D", c1=8), names=("x",))])),
    "sem-camada": notebook(section("desafio-1", values={"mapa": [[0.0, 1.5]], **answer("nada")}),
                           section("desafio-3", [model([l for n, l in enumerate(lenet_layers()) if n != 7],
                                                       names=("x",))])),
}
STUDENTS["sem-camada"] = dataclasses.replace(STUDENTS["sem-camada"], calls={"relu": {"defined": True, "results": [
    {"value": [1.0, 0.0]}, {"value": [0.0, 0.0]}]}})


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit")
    (folder.parent / "t.ipynb").write_text("{}", encoding="utf-8")
    write_kit(build_contents(SPEC, reference(), new_key()), folder.parent / "t.ipynb", folder)
    return load_kit(folder)


@pytest.mark.parametrize("student", sorted(STUDENTS))
@pytest.mark.parametrize("spec", [c for c in CHECKS if c.visibility == "visible" and c.id != "compilacao"],
                         ids=lambda c: c.id)
def test_a_sealed_reference_gives_the_plain_references_verdict(kit, spec, student):
    facts = STUDENTS[student]
    kit_spec = next(c for c in kit.assignment.checks if c.id == spec.id)
    plain = REGISTRY.get(spec.kind).function(facts, reference(), spec)
    sealed = REGISTRY.get(spec.kind).function(facts, kit.reference, kit_spec)
    if spec.kind == "function" and plain.details:  # the kit judges the visible inputs only
        rows = [r["status"] == "match" for r in plain.details["calls"]]
        assert sealed.status == ("passed" if all(rows) else "failed" if not any(rows) else "partial")
        assert sealed.details["hidden_total"] == 0
    else:
        assert (sealed.status, sealed.fraction, sealed.message) == (plain.status, plain.fraction, plain.message)
    json.dumps(sealed.to_json(), default=str)


def test_the_kit_keeps_visible_checks_and_seals_what_they_do_not_reveal(kit, tmp_path):
    text = json.dumps(kit.to_json(), default=str)
    assert "oculta" not in text and "31337" not in text and "-7.25" not in text and "3.5" not in text
    assert "compartilh" not in text and "aumenta" not in text and "sandalia" not in text.lower()
    assert kit.deferred == ("compilacao",) and kit.hidden_inputs == {"relu": 1}
    lenet = kit.reference.section("desafio-3").models[0]
    assert is_sealed(lenet.total_params) and lenet.layers[1].class_name == "Conv2D"
    assert is_sealed(lenet.layers[1].width) and lenet.layers[5].width is None
    assert kit.reference.calls["relu"]["results"] == [{"value": [1.0, 0.0]}]  # function checks reveal visible results


def test_a_value_at_the_tolerance_limit_is_left_to_the_instructor(kit):
    spec = next(c for c in kit.assignment.checks if c.id == "mapa")
    near = notebook(section("desafio-1", values={"mapa": [[0.0, 1.5 * (1 + 1.2e-6)], [2.25, -0.125]]}))
    with pytest.raises(Undecidable):
        REGISTRY.get("value").function(near, kit.reference, spec)


def test_verificar_finds_its_kit_by_argument_environment_or_beside_the_notebook(kit, tmp_path):
    folder = tmp_path / "kit"
    folder.mkdir()
    (folder / "kit.json").write_text("{}")
    assert find_kit(folder, environ={}) == folder
    assert find_kit(None, environ={"GRADER_KIT": str(folder)}) == folder
    assert find_kit(None, environ={}, cwd=tmp_path) == folder
    assert find_kit(None, environ={}, cwd=tmp_path / "sub") == folder
    with pytest.raises(KitNotFound, match="GRADER_KIT"):
        find_kit(None, environ={}, cwd=tmp_path.parent / "nenhum")
