"""A check kind declares what it needs: an assignment's own ``checks.py`` kind is exported, evaluated,
kept by a kit and reported by its declarations, as a built-in kind is (tests/checks/plugin/checks.py)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.assignments import load
from grader.checks.base import check_kind, default_registry
from grader.execute import uses_models, value_names
from grader.facts import EvaluationFacts
from grader.grade import execution_key
from grader.kit.contents import deferred_reason
from grader.messages import load_catalogue
from grader.report import render_submission_report
from grader.gradescope.results import leaderboard
from grader.scoring import score_submission
from tests.checks.conftest import dense_model, notebook, section
from tests.mini_assignment import MODEL, build_mini, mini_notebook
from tests.report.test_student_report import visible_text

PLUGIN = Path(__file__).parent / "plugin" / "checks.py"
PLUGIN_CHECKS = """
[[checks]]
id = "meta"
section = "desafio-1"
kind = "meta_de_acuracia"
points = 1
variable = "meta"

[[checks]]
id = "sem-declaracao"
section = "desafio-1"
kind = "sem_declaracao"
points = 1
variable = "nada"

[[checks]]
id = "texto"
section = "desafio-1"
kind = "so_texto"
points = 1
"""


def mini_with_plugin(root: Path) -> tuple[Path, Path]:
    """The mini assignment with the plugin's kinds in its own checks.py; one submission, aiming at 5%."""
    assignments, subs = build_mini(root)
    folder = assignments / "mini"
    shutil.copyfile(PLUGIN, folder / "checks.py")
    with open(folder / "assignment.toml", "a", encoding="utf-8") as spec:
        spec.write(PLUGIN_CHECKS)
    code = MODEL.format(units=32) + "\nmeta = 0.05  # a acurácia que espero alcançar"
    nbformat.write(mini_notebook(code, "São 25.450 parâmetros."), str(root / "reference" / "mini.ipynb"))
    nbformat.write(mini_notebook(code, "25,450 parâmetros"), str(subs / "ana.ipynb"))
    (subs / "bia.ipynb").unlink()
    return assignments, subs


@pytest.fixture
def plugged(tmp_path):
    assignments, _ = mini_with_plugin(tmp_path)
    return load("mini", assignments)


def only(spec, *ids):
    return dataclasses.replace(spec, checks=tuple(c for c in spec.checks if c.id in ids))


def test_a_plugin_kind_gets_the_variable_it_declares_exported_and_its_model_evaluated(plugged):
    spec, _ = plugged
    assert value_names(spec) == {"desafio-1": ["meta"]}  # not "nada": sem_declaracao declares no variable
    assert [e.name for e in spec.execution.evaluations] == ["fashion_mnist_test"]
    assert spec.evaluated_sections() == ("desafio-1",)
    assert uses_models(only(spec, "meta"))
    assert execution_key(spec) != execution_key(only(spec, "executa", "params", "resposta"))


def test_a_kind_that_declares_no_model_runs_without_keras_and_evaluates_nothing(plugged):
    spec, _ = plugged
    unevaluated = dataclasses.replace(spec.execution, evaluations=())  # no check names a dataset
    text = dataclasses.replace(only(spec, "executa", "texto"), execution=unevaluated)
    assert not uses_models(text) and value_names(text) == {}
    # a kind that declares nothing may read models and their evaluation, as before declarations
    quiet = only(spec, "executa", "sem-declaracao")
    assert uses_models(dataclasses.replace(quiet, execution=unevaluated)) and value_names(quiet) == {}
    assert quiet.evaluated_sections() == ("desafio-1",)


def test_a_kit_decides_what_a_kind_declares_it_can(plugged):
    spec, registry = plugged
    by_id = {c.id: c for c in spec.checks}
    assert deferred_reason(by_id["meta"], registry) is None
    assert deferred_reason(by_id["sem-declaracao"], registry) == "kind"
    assert by_id["texto"].reveal == "expected"  # the default a kind declares nothing about
    assert deferred_reason(by_id["texto"], registry) is None
    assert deferred_reason(dataclasses.replace(by_id["texto"], reveal="verdict"), registry) == "not_revealed"
    # without the assignment's checks.py, its kinds are unknown: the kit leaves them to the instructor
    assert deferred_reason(by_id["meta"], default_registry()) == "kind"


def test_a_kind_measuring_accuracy_is_reported_as_one(plugged):
    spec, registry = plugged
    spec = only(spec, "meta")
    evaluation = EvaluationFacts("fashion_mnist_test", 0.125, 10000, "0-1", input_form="28x28")
    student = notebook(section("desafio-1", [dense_model((32, 10), names=("m",), section="desafio-1",
                                                         evaluations=(evaluation,))], values={"meta": 0.05}))
    pt = load_catalogue("pt")
    result = score_submission(submission_id="ana", path="ana.ipynb", assignment=spec, facts=student,
                              reference=notebook(), registry=registry, catalogue=pt)
    assert [(c.status, c.expected, c.actual) for c in result.checks] == [("passed", 0.05, 0.125)]
    # expected against found: a threshold and a percentage, and how the grader fed the model its test images
    page = visible_text(render_submission_report(result, spec, pt, student, None, kinds=registry))
    assert "Esperado Obtido mínimo para a nota cheia: 5% 12,5%" in page and "entregues como 28×28, sem eixo" in page
    unknown = visible_text(render_submission_report(result, spec, pt, student, None))  # its kind not declared here
    assert "Esperado Obtido 0,05 0,125" in unknown and "entregues como 28×28" not in unknown
    assert [e.value for e in leaderboard(result, pt, registry)] == [0.125]
    assert leaderboard(result, pt, default_registry()) == ()


def test_a_declaration_names_keys_of_its_kind():
    with pytest.raises(ValueError, match="variable_params\\[0\\] 'variavel' is not one of its keys"):
        check_kind("errada", optional=("variable",), variable_params=("variavel",))
    with pytest.raises(ValueError, match="dataset_param 'dataset'"):
        check_kind("errada", dataset_param="dataset")
    with pytest.raises(ValueError, match="reveals must be one of verdict, expected"):
        check_kind("errada", reveals="tudo")


@pytest.mark.kernel
def test_a_notebook_gets_exported_and_evaluated_what_a_plugin_kind_declares(tmp_path, dataset_dir):
    """One real notebook executed for the plugin's check: its variable exported, its model evaluated."""
    from grader.backends import LocalPool
    from grader.messages import load_catalogue
    from grader.run import make_context
    from grader.schedule import collect_all

    assignments, subs = mini_with_plugin(tmp_path)
    spec, _ = load("mini", assignments)
    context = make_context(spec, data_dir=dataset_dir, store=None, no_store=True, cell_timeout=None, jobs=1)
    [(facts, _)] = collect_all({"ana": subs / "ana.ipynb"}, context, LocalPool(1), load_catalogue("pt"),
                               use_cache=False).values()
    [section] = [s for s in facts.sections if s.id == "desafio-1"]
    assert section.values["meta"] == 0.05 and "nada" not in section.values
    [model] = section.models
    [evaluation] = model.evaluations
    assert (evaluation.dataset, evaluation.samples) == ("fashion_mnist_test", 10000)
    meta = next(c for c in spec.checks if c.id == "meta")
    outcome = default_registry(assignments / "mini").get(meta.kind).function(facts, facts, meta)
    assert outcome.actual == evaluation.accuracy
