"""Notebooks written the way students really hand them in, graded as by hand.

Subclassed models (one with a pooling layer used twice, one applying its activations in
``call()`` as PyTorch code does), a Sequential subclass, TensorFlow functions as activations, a ``model.add`` chain, 32×32 and channels-first inputs, Keras 2
names, pandas/seaborn/scikit-learn imports, a Colab notebook, no headings, untagged
answers. One session-scoped run grades them all (plus the reference) as cnn-pratica; the
hand verdicts are data: ``tests/real/expected.toml``.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest

from grader.run import run
from tests.conftest import KERNEL_JOBS

pytestmark = pytest.mark.kernel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCHEMA = json.loads((ROOT / "contracts" / "results.schema.json").read_text(encoding="utf-8"))
EXPECTED = tomllib.loads((HERE / "expected.toml").read_text(encoding="utf-8"))
DEFAULTS = EXPECTED.pop("defaults")
HAND_COUNTED_LENET = 61_706


@pytest.fixture(scope="session")
def real(tmp_path_factory, dataset_dir, reference_stores):
    base = tmp_path_factory.mktemp("real")
    reference_stores.seed("cnn-pratica", base / "store.sqlite")  # the reference's facts, if an earlier run made them
    run(submissions=HERE / "notebooks", assignment="cnn-pratica", out=base / "out", jobs=KERNEL_JOBS, data_dir=dataset_dir,
        store=base / "store.sqlite")
    reference_stores.keep("cnn-pratica", base / "store.sqlite")
    results = json.loads((base / "out" / "results.json").read_text(encoding="utf-8"))
    return base / "out", {s["id"]: s for s in results["submissions"]}, results


def _facts(out: Path, sub_id: str) -> dict:
    return json.loads((out / sub_id / "facts.json").read_text(encoding="utf-8"))


def _lenet(facts: dict) -> dict:
    """The model the desafio 3 checks judged: in the section, or found by structure elsewhere."""
    section = next((s for s in facts["sections"] if s["id"] == "desafio-3"), None)
    models = section["models"] if section else facts["other_models"]
    return max(models, key=lambda m: (m["total_params"] == HAND_COUNTED_LENET, m["order"]))


def test_every_real_notebook_is_graded_and_follows_the_contract(real):
    _, subs, results = real
    jsonschema.validate(results, SCHEMA)
    assert set(subs) == set(EXPECTED)
    assert all(s["status"] == "graded" for s in subs.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_graded_as_by_hand(real, name):
    out, subs, _ = real
    sub, expected = subs[name], EXPECTED[name]
    statuses = {c["id"]: c["status"] for c in sub["checks"]}
    wanted = {**DEFAULTS["checks"], **expected.get("more_checks", {})}
    assert {k: statuses[k] for k in wanted} == wanted, {c["id"]: c["message"] for c in sub["checks"] if c["id"] in wanted}
    # no `error` on a legitimate model: nothing here is the grader's failure
    assert not [c["id"] for c in sub["checks"] if c["status"] == "error"]
    lenet = _lenet(_facts(out, name))
    assert lenet["total_params"] == HAND_COUNTED_LENET and lenet["load_error"] is None
    (evaluation,) = lenet["evaluations"]
    assert 0.4 < evaluation["accuracy"] < 0.8, evaluation["accuracy"]  # measured by the grader, not printed
    assert evaluation["input_form"] == expected["input_form"]
    assert len(evaluation["per_class"]) == 10
    assert lenet["judged_with_student_code"] is expected.get("judged", False)


def test_the_subclass_is_judged_in_call_order_with_its_reused_pooling(real):
    out, subs, _ = real
    lenet = _lenet(_facts(out, "r01-subclasse-pool-reusado"))
    assert [l["class_name"] for l in lenet["layers"]] == [
        "Conv2D", "AveragePooling2D", "Conv2D", "AveragePooling2D", "Flatten", "Dense", "Dense", "Dense"]
    assert lenet["output_shape"] == [None, 10]
    review = subs["r01-subclasse-pool-reusado"]["review"]
    assert any(item["reason"] == "judged_with_student_code" for item in review)


def test_activations_applied_in_call_are_read_as_the_layers_activations(real):
    out, subs, _ = real
    lenet = _lenet(_facts(out, "r12-ativacoes-no-call"))
    assert [(l["class_name"], l["activation"]) for l in lenet["layers"] if l["class_name"] in ("Conv2D", "Dense")] == [
        ("Conv2D", "relu"), ("Conv2D", "relu"), ("Dense", "relu"), ("Dense", "relu"), ("Dense", "softmax")]
    statuses = {c["id"]: c["status"] for c in subs["r12-ativacoes-no-call"]["checks"]}
    assert statuses["d3-estrutura"] == "passed"  # it read every layer as linear: partial credit


def test_model_add_leftovers_are_not_student_models(real):
    out, _, _ = real
    facts = _facts(out, "r04-model-add")
    (section,) = [s for s in facts["sections"] if s["id"] == "desafio-3"]
    assert [m["total_params"] for m in section["models"]] == [HAND_COUNTED_LENET]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "located_cell" in e))
def test_a_section_without_its_heading_is_found_by_structure_and_reviewed(real, name):
    out, subs, _ = real
    notes = [n for n in _facts(out, name)["review_notes"] if n["kind"] == "section_by_structure"]
    assert [(n["section"], n["cell"]) for n in notes] == [("desafio-3", EXPECTED[name]["located_cell"])]
    items = [i for i in subs[name]["review"] if i["reason"] == "section_by_structure"]
    assert items and f"célula {EXPECTED[name]['located_cell']}" in items[0]["text"]


def test_a_heading_matching_two_sections_goes_to_the_first(real):
    out, subs, _ = real
    facts = _facts(out, "r02-sequential-subclasse")
    assert [s["id"] for s in facts["sections"]] == ["desafio-3"]
    assert {c["id"]: c["status"] for c in subs["r02-sequential-subclasse"]["checks"]}["bonus-bn-dropout"] == "failed"


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if "warnings" in e))
def test_environment_stand_ins_are_reported(real, name):
    _, subs, _ = real
    kinds = {w["kind"] for w in subs[name]["warnings"]}
    assert set(EXPECTED[name]["warnings"]) <= kinds
    assert not subs[name]["execution"]["cell_errors"]


def test_the_question_never_counts_as_the_answer(real):
    _, subs, _ = real
    pooling = next(c for c in subs["r11-respostas-sem-tags"]["checks"] if c["id"] == "d2-resposta-pooling")
    assert pooling["score"] == 0 and "não tem" not in (pooling["actual"] or "")


@pytest.fixture(scope="session")
def relu_colab(tmp_path_factory, dataset_dir):
    base = tmp_path_factory.mktemp("relu-colab")
    subs = base / "subs"
    subs.mkdir()
    shutil.copy(HERE / "relu-colab" / "relu-colab.ipynb", subs)
    shutil.copy(ROOT / "assignments" / "relu-exercicios" / "examples" / "01-correta.ipynb", subs / "sem-colab.ipynb")
    run(submissions=subs, assignment="relu-exercicios", out=base / "out", jobs=2, data_dir=dataset_dir,
        store=base / "store.sqlite")
    results = json.loads((base / "out" / "results.json").read_text(encoding="utf-8"))
    return {s["id"]: s for s in results["submissions"]}


def test_a_colab_hand_in_scores_as_the_same_notebook_without_colab(relu_colab):
    colab, plain = relu_colab["relu-colab"], relu_colab["sem-colab"]
    assert colab["score"] == plain["score"] == 20  # it scored 4/20 when google.colab was missing
    assert not colab["execution"]["cell_errors"]
    assert {"colab_drive_mount", "pip_present"} <= {w["kind"] for w in colab["warnings"]}


def test_library_banners_go_to_the_log_file_not_the_terminal(real):
    out, _, _ = real
    log = (out / "grader.log").read_text(encoding="utf-8", errors="replace")
    assert "oneDNN" in log  # TensorFlow's notice, which no environment variable silences


def test_keras2_defaults_and_file_names_run_and_are_reported(real):
    _, subs, _ = real
    sub = subs["r13-keras2-tutorial"]
    assert not sub["execution"]["cell_errors"]
    texts = " ".join(w["text"] for w in sub["warnings"] if w["kind"] == "keras2")
    for name in ("AveragePooling2D()", 'compile(metrics="accuracy")', 'save_weights("lenet.h5")',
                 'ModelCheckpoint("melhor_lenet.h5")', "activation=tf.nn.softmax", "fit(workers=...)",
                 "layer.output_shape"):
        assert f"`{name}`" in texts, name
    assert "em Keras 3 escreva `AveragePooling2D(pool_size=(2, 2))`" in texts


def test_retyped_questions_are_no_answer(real):
    _, subs, _ = real
    checks = {c["id"]: c for c in subs["r13-keras2-tutorial"]["checks"]}
    for check_id in ("d2-resposta-params", "d2-resposta-pooling"):
        assert checks[check_id]["score"] == 0 and not checks[check_id]["actual"]


def test_a_subclass_built_with_arguments_is_rebuilt_with_them(real):
    out, subs, _ = real
    lenet = _lenet(_facts(out, "r14-subclasse-com-argumentos"))
    assert [(l["class_name"], l["activation"]) for l in lenet["layers"] if l["class_name"] in ("Conv2D", "Dense")] == [
        ("Conv2D", "tanh"), ("Conv2D", "tanh"), ("Dense", "tanh"), ("Dense", "tanh"), ("Dense", "softmax")]
    assert lenet["output_shape"] == [None, 10]
