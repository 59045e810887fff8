"""Parsing ``assignment.toml``: typed objects out, errors that name file, table and key."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from grader.checks import default_registry
from grader.datasets import EvaluationSpec
from grader.errors import SpecError
from grader.spec import ExecutionSettings, load_assignment, skip_rule_for

PROJECT = Path(__file__).resolve().parents[1]
CNN_DIR = PROJECT / "assignments" / "cnn-pratica"
CNN_SPEC = CNN_DIR / "assignment.toml"
CNN_NOTEBOOKS = (CNN_DIR / "cnn-pratica.ipynb", PROJECT / "reference" / "cnn-pratica.ipynb")

HEAD = """\
[assignment]
id = "mini"
title = "Mini"
notebook = "mini.ipynb"
reference = "ref.ipynb"
"""

SECTIONS = """\
[[sections]]
id = "desafio-1"
title = "Desafio 1"
heading = '(?i)desafio\\s*1\\b'

[[sections]]
id = "desafio-2"

[[sections]]
id = "bonus"
title = "Bônus"
bonus = true
"""

CHECKS = """\
[[checks]]
id = "d1-executa"
section = "desafio-1"
kind = "executes"
points = 2

[[checks]]
id = "d1-params"
section = "desafio-1"
kind = "model_params"
points = 1.5
reference_model = "modelo_mlp"

[[checks]]
id = "d2-executa"
section = "desafio-2"
kind = "executes"
points = 3

[[checks]]
id = "bonus-estrutura"
section = "bonus"
kind = "model_structure"
points = 1
visibility = "hidden"
mode = "contains"
layers = ["Dropout"]
"""

VALID = HEAD + SECTIONS + CHECKS


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.fixture
def write_spec(tmp_path):
    """Write ``text`` as assignment.toml with dummy notebooks beside it; return its path."""

    def _write(text: str, notebooks=("mini.ipynb", "ref.ipynb")) -> Path:
        for name in notebooks:
            (tmp_path / name).write_text("{}", encoding="utf-8")
        path = tmp_path / "assignment.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def spec_error(path: Path, registry) -> str:
    with pytest.raises(SpecError) as info:
        load_assignment(path, registry)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message, "a spec error is one line"
    return message


# ---------------------------------------------------------------- the real assignment
def test_cnn_pratica_loads(registry):
    missing = [str(p.relative_to(PROJECT)) for p in CNN_NOTEBOOKS if not p.is_file()]
    if missing:
        pytest.skip(f"notebooks not written yet: {', '.join(missing)}")
    assignment = load_assignment(CNN_SPEC, registry)
    assert assignment.id == "cnn-pratica"
    assert [s.id for s in assignment.sections] == ["desafio-1", "desafio-2", "desafio-3", "bonus-bn-dropout"]
    assert assignment.section("bonus-bn-dropout").bonus
    assert assignment.max_score == 20
    assert [e.name for e in assignment.execution.evaluations] == ["fashion_mnist_test"]
    assert assignment.notebook_path.is_file() and assignment.reference_path.is_file()


def test_cnn_pratica_spec_parses_beside_dummy_notebooks(tmp_path, registry):
    """The real spec text is valid, whether or not its notebooks exist yet."""
    folder = tmp_path / "assignments" / "cnn-pratica"
    folder.mkdir(parents=True)
    shutil.copy(CNN_SPEC, folder / "assignment.toml")
    (folder / "cnn-pratica.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "cnn-pratica.ipynb").write_text("{}", encoding="utf-8")
    assignment = load_assignment(folder / "assignment.toml", registry)
    by_section = {s.id: m for s, m in assignment.section_max_scores()}
    assert by_section == {"desafio-1": 6, "desafio-2": 5, "desafio-3": 9, "bonus-bn-dropout": 2}
    assert assignment.max_score == 20
    assert assignment.execution.cell_timeout == 300 and assignment.execution.total_timeout == 1200


# ---------------------------------------------------------------- a valid small spec
def test_valid_spec_is_typed(write_spec, registry):
    assignment = load_assignment(write_spec(VALID), registry)
    assert assignment.id == "mini" and assignment.title == "Mini"
    assert [c.id for c in assignment.checks] == ["d1-executa", "d1-params", "d2-executa", "bonus-estrutura"]
    params = assignment.checks[1]
    assert params.points == 1.5 and params.param("reference_model") == "modelo_mlp"
    assert "kind" not in params.params and "points" not in params.params
    assert assignment.checks[3].visibility == "hidden"
    assert assignment.checks[0].visibility == "visible"
    assert assignment.execution == ExecutionSettings()


def test_section_defaults(write_spec, registry):
    assignment = load_assignment(write_spec(VALID), registry)
    plain = assignment.section("desafio-2")
    assert plain.title == "desafio-2"
    assert plain.heading == re.escape("desafio-2") and not plain.bonus
    assert plain.matches("## desafio-2: pooling")
    assert assignment.section("desafio-1").matches("Desafio 1 (cont.)")
    assert not assignment.section("desafio-1").matches("Desafio 10")


def test_max_score_excludes_bonus_sections(write_spec, registry):
    assignment = load_assignment(write_spec(VALID), registry)
    assert assignment.max_score == 6.5  # 2 + 1.5 + 3; the bonus point is extra


def test_section_max_scores(write_spec, registry):
    assignment = load_assignment(write_spec(VALID), registry)
    assert [(s.id, m) for s, m in assignment.section_max_scores()] == [
        ("desafio-1", 3.5),
        ("desafio-2", 3.0),
        ("bonus", 1.0),
    ]


def test_execution_table_is_read(write_spec, registry):
    text = VALID + "\n[execution]\ncell_timeout = 60\nseed = 7\n"
    execution = load_assignment(write_spec(text), registry).execution
    assert execution.cell_timeout == 60 and execution.seed == 7
    assert execution.total_timeout == ExecutionSettings().total_timeout


def test_accuracy_checks_list_their_datasets_in_execution(write_spec, registry):
    text = VALID + (
        '\n[[checks]]\nid = "d2-acc"\nsection = "desafio-2"\nkind = "accuracy"\npoints = 1\n'
        'threshold = 0.8\ndataset = "fashion_mnist_test"\n'
    )
    evaluations = load_assignment(write_spec(text), registry).execution.evaluations
    assert evaluations == (EvaluationSpec("fashion_mnist_test", "fashion_mnist_test"),)


GROUPED = (
    '\n[datasets.vestuario]\nsource = "fashion_mnist_test"\npositive = [6, 0, 1]\n'
    '\n[[checks]]\nid = "d2-acc"\nsection = "desafio-2"\nkind = "accuracy"\npoints = 1\n'
    'threshold = 0.8\ndataset = "vestuario"\n'
)


def test_declared_datasets_group_classes_into_two(write_spec, registry):
    evaluations = load_assignment(write_spec(VALID + GROUPED), registry).execution.evaluations
    assert evaluations == (EvaluationSpec("vestuario", "fashion_mnist_test", (0, 1, 6)),)
    assert evaluations[0].binary


def test_a_confusion_check_has_its_dataset_evaluated(write_spec, registry):
    text = VALID + (
        '\n[[checks]]\nid = "d2-conf"\nsection = "desafio-2"\nkind = "confusion_binarized"\npoints = 1\n'
        'positive = [0, 1]\nnegative = [2]\n'
    )
    evaluations = load_assignment(write_spec(text), registry).execution.evaluations
    assert [e.name for e in evaluations] == ["fashion_mnist_test"]


@pytest.mark.parametrize("change, expected", [
    (('dataset = "vestuario"', 'dataset = "vestuari"'), "unknown dataset 'vestuari' (did you mean 'vestuario'?)"),
    (("positive = [6, 0, 1]", "positive = []"), "'positive' must be a non-empty list of class indices"),
    (("positive = [6, 0, 1]", 'positive = ["6"]'), "'positive' must be a non-empty list of class indices"),
    (('source = "fashion_mnist_test"', 'source = "mnist"'), "[datasets.vestuario]: unknown source 'mnist'"),
    (('source = "fashion_mnist_test"', 'sourse = "fashion_mnist_test"'), "unknown key 'sourse' (did you mean 'source'?)"),
    (("[datasets.vestuario]", "[dataset.vestuario]"), "[dataset]: unknown table (did you mean 'datasets'?)"),
])
def test_dataset_errors_name_the_table_and_the_fix(write_spec, registry, change, expected):
    message = spec_error(write_spec(VALID + GROUPED.replace(*change)), registry)
    assert expected in message


# ---------------------------------------------------------------- errors
def test_unknown_kind_suggests_nearest(write_spec, registry):
    text = VALID.replace('kind = "model_structure"', 'kind = "model_structur"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #4" in message
    assert "unknown kind 'model_structur' (did you mean 'model_structure'?)" in message


def test_unknown_section(write_spec, registry):
    text = VALID.replace('section = "desafio-2"', 'section = "desafio-22"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #3" in message
    assert "unknown section 'desafio-22'" in message and "did you mean 'desafio-2'" in message


def test_duplicate_check_id(write_spec, registry):
    text = VALID.replace('id = "d2-executa"', 'id = "d1-executa"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #3" in message and "duplicate check id 'd1-executa'" in message


def test_duplicate_section_id(write_spec, registry):
    text = VALID.replace('id = "bonus"', 'id = "desafio-2"').replace('section = "bonus"', 'section = "desafio-2"')
    message = spec_error(write_spec(text), registry)
    assert "[[sections]]" in message and "duplicate section id 'desafio-2'" in message


def test_negative_points(write_spec, registry):
    text = VALID.replace("points = 3", "points = -3")
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #3" in message and "'points'" in message and "-3" in message


def test_points_must_be_a_number(write_spec, registry):
    text = VALID.replace("points = 3", 'points = "3"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #3" in message and "'points'" in message


def test_bad_visibility(write_spec, registry):
    text = VALID.replace('visibility = "hidden"', 'visibility = "secret"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #4" in message and "'visibility'" in message and "'secret'" in message
    assert "after_due_date" in message  # the valid choices are listed


def test_unknown_execution_key(write_spec, registry):
    text = VALID + "\n[execution]\ncell_timout = 60\n"
    message = spec_error(write_spec(text), registry)
    assert "[execution]" in message
    assert "unknown key 'cell_timout' (did you mean 'cell_timeout'?)" in message


def test_execution_value_must_be_positive(write_spec, registry):
    text = VALID + "\n[execution]\ntotal_timeout = 0\n"
    message = spec_error(write_spec(text), registry)
    assert "[execution]" in message and "'total_timeout'" in message


def test_invalid_heading_regex(write_spec, registry):
    text = VALID.replace("heading = '(?i)desafio\\s*1\\b'", "heading = 'desafio (1'")
    message = spec_error(write_spec(text), registry)
    assert "[[sections]] #1" in message and "'heading'" in message and "regular expression" in message


def test_unknown_section_key(write_spec, registry):
    text = VALID.replace('title = "Bônus"', 'titel = "Bônus"')
    message = spec_error(write_spec(text), registry)
    assert "[[sections]] #3" in message and "unknown key 'titel' (did you mean 'title'?)" in message


def test_missing_assignment_table(write_spec, registry):
    message = spec_error(write_spec(SECTIONS + CHECKS), registry)
    assert "[assignment]" in message and "missing" in message


def test_missing_assignment_id(write_spec, registry):
    message = spec_error(write_spec(VALID.replace('id = "mini"\n', "")), registry)
    assert "[assignment]" in message and "missing key 'id'" in message


def test_no_sections(write_spec, registry):
    message = spec_error(write_spec(HEAD), registry)
    assert "[[sections]]" in message and "at least one section" in message


def test_missing_required_kind_key(write_spec, registry):
    text = VALID.replace('reference_model = "modelo_mlp"', 'reference_modl = "modelo_mlp"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #2 (d1-params)" in message
    assert "kind 'model_params'" in message and "needs key 'reference_model'" in message


def test_unknown_kind_specific_key_suggests_nearest(write_spec, registry):
    text = VALID.replace('mode = "contains"', 'mod = "contains"')
    message = spec_error(write_spec(text), registry)
    assert "[[checks]] #4 (bonus-estrutura)" in message
    assert "unknown key 'mod' for kind 'model_structure' (did you mean 'mode'?)" in message


def test_missing_notebook_file(write_spec, registry):
    message = spec_error(write_spec(VALID, notebooks=("ref.ipynb",)), registry)
    assert "[assignment]" in message and "notebook 'mini.ipynb' not found" in message


def test_missing_reference_file(write_spec, registry):
    message = spec_error(write_spec(VALID, notebooks=("mini.ipynb",)), registry)
    assert "[assignment]" in message and "reference 'ref.ipynb' not found" in message


def test_invalid_toml(write_spec, registry):
    message = spec_error(write_spec(VALID + "\n[[checks]\n"), registry)
    assert "invalid TOML" in message


def test_missing_spec_file(tmp_path, registry):
    message = spec_error(tmp_path / "assignment.toml", registry)
    assert "file not found" in message


# ---------------------------------------------------------------- execution settings
def test_cache_key_is_stable():
    assert ExecutionSettings().cache_key() == ExecutionSettings().cache_key()
    assert re.fullmatch(r"[0-9a-f]{16}", ExecutionSettings().cache_key())


@pytest.mark.parametrize(
    "change",
    [{"cell_timeout": 60.0}, {"seed": 7}, {"threads": 2}, {"evaluations": (EvaluationSpec("fashion_mnist_test", "fashion_mnist_test"),)}],
    ids=lambda change: next(iter(change)),
)
def test_cache_key_changes_with_each_field(change):
    base = ExecutionSettings()
    assert dataclasses.replace(base, **change).cache_key() != base.cache_key()


def test_seed_zero_is_allowed_and_unknown_assignment_keys_are_not(tmp_path):
    from grader.checks import default_registry
    from grader.errors import SpecError
    from grader.spec import load_assignment

    (tmp_path / "x.ipynb").write_text("{}")
    (tmp_path / "r.ipynb").write_text("{}")
    base = '[assignment]\nid = "x"\nreference = "r.ipynb"\n{extra}\n[execution]\nseed = 0\n[[sections]]\nid = "s"\n'
    spec = tmp_path / "assignment.toml"
    spec.write_text(base.format(extra=""))
    assert load_assignment(spec, default_registry()).execution.seed == 0
    spec.write_text(base.format(extra='notebok = "x.ipynb"'))
    with pytest.raises(SpecError, match=r"\[assignment\]: unknown key 'notebok' \(did you mean 'notebook'\?\)"):
        load_assignment(spec, default_registry())


@pytest.mark.parametrize("folder", sorted(p.name for p in (PROJECT / "assignments").iterdir() if p.is_dir()))
def test_every_assignment_of_the_course_loads(folder):
    """Each assignment's spec is valid, worth 20 points, and names notebooks that exist."""
    directory = PROJECT / "assignments" / folder
    assignment = load_assignment(directory / "assignment.toml", default_registry(directory))
    assert assignment.id == folder and assignment.max_score == 20
    assert assignment.notebook_path.is_file() and assignment.reference_path.is_file()
    assert (directory / "examples" / "expected.toml").is_file()


def test_the_course_has_its_four_assignments():
    folders = {p.name for p in (PROJECT / "assignments").iterdir() if p.is_dir()}
    assert {"cnn-pratica", "relu-exercicios", "mlp-multiclasse-binaria", "treinamento-redes"} <= folders


def test_keras2_compat_is_a_boolean_and_only_a_boolean(write_spec, registry):
    assert ExecutionSettings().keras2_compat is False
    on = load_assignment(write_spec(VALID + "\n[execution]\nkeras2_compat = true\n"), registry).execution
    assert on.keras2_compat is True and on.cache_key() != ExecutionSettings().cache_key()
    for wrong in ('"yes"', "1", "0"):
        message = spec_error(write_spec(VALID + f"\n[execution]\nkeras2_compat = {wrong}\n"), registry)
        assert "[execution]" in message and "'keras2_compat' must be true or false" in message
    message = spec_error(write_spec(VALID + "\n[execution]\nseed = true\n"), registry)  # numbers stay numbers
    assert "'seed' must be a positive number" in message


def test_threads_may_be_auto_and_nothing_else_but_a_number(tmp_path):
    import pytest

    from grader.checks import default_registry
    from grader.errors import SpecError
    from grader.spec import load_assignment

    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "r.ipynb").write_text("{}")
    base = ('[assignment]\nid = "a"\nnotebook = "a.ipynb"\nreference = "r.ipynb"\n'
            '[[sections]]\nid = "s"\n[[checks]]\nsection = "s"\nkind = "executes"\npoints = 1\n')
    (tmp_path / "assignment.toml").write_text(base + '[execution]\nthreads = "auto"\n')
    assert load_assignment(tmp_path / "assignment.toml", default_registry()).execution.threads == "auto"
    (tmp_path / "assignment.toml").write_text(base + '[execution]\nthreads = "many"\n')
    with pytest.raises(SpecError, match='positive number or "auto"'):
        load_assignment(tmp_path / "assignment.toml", default_registry())


def test_requires_names_the_grader_s_extras(write_spec, registry):
    assert load_assignment(write_spec(VALID), registry).requires == ()
    spec = write_spec(VALID.replace('id = "mini"', 'id = "mini"\nrequires = ["torch"]', 1))
    assert load_assignment(spec, registry).requires == ("torch",)
    bad = write_spec(VALID.replace('id = "mini"', 'id = "mini"\nrequires = "torch"', 1))
    assert "[assignment]: 'requires' must be a list" in spec_error(bad, registry)


def test_the_pytorch_assignment_requires_torch_and_is_judged_by_it(registry):
    assignment = load_assignment(PROJECT / "assignments" / "pytorch-treinamento" / "assignment.toml", registry)
    assert assignment.requires == ("torch",) and assignment.max_score == 20
    assert {c.needs.judged for c in assignment.checks} == {"torch"}


SKIP = """
[[execution.skip]]
pattern = 'run_full_experiment\\s*\\('
reason = "o experimento completo leva horas em CPU"

[[execution.skip]]
tag = "treino-completo"

[[execution.skip]]
tag = "treino"
pattern = "num_epochs\\\\s*=\\\\s*50"
"""


def test_skip_rules_are_read_and_match_by_tag_pattern_or_both(write_spec, registry):
    rules = load_assignment(write_spec(VALID + SKIP), registry).execution.skip
    assert [(r.tag, r.reason) for r in rules] == [("", "o experimento completo leva horas em CPU"),
                                                  ("treino-completo", ""), ("treino", "")]
    assert skip_rule_for("results = run_full_experiment (CONFIG)", [], rules) is rules[0]
    assert skip_rule_for("x = 1", ["treino-completo"], rules) is rules[1]
    assert skip_rule_for("system.train(loader, num_epochs=50)", ["treino"], rules) is rules[2]
    assert skip_rule_for("system.train(loader, num_epochs=50)", [], rules) is None  # the tag is missing
    assert skip_rule_for("system.train(loader, num_epochs=1)", ["treino"], rules) is None
    assert skip_rule_for("def run_full_experiment_later(): pass", None, rules) is None
    assert ExecutionSettings(skip=rules).cache_key() != ExecutionSettings().cache_key()


@pytest.mark.parametrize("table, error", [
    ("[[execution.skip]]\nreason = 'x'\n", r"\[\[execution.skip\]\] #1: give 'tag'"),
    ("[[execution.skip]]\npatern = 'x'\n", r"unknown key 'patern' \(did you mean 'pattern'\?\)"),
    ("[[execution.skip]]\npattern = 'train('\n", "'pattern' is not a valid regular expression"),
    ("[[execution.skip]]\ntag = 5\n", "'tag' must be a string"),
    ("[execution]\nskip = 'train'\n", r"'skip' must be a list of tables"),
    ("[execution]\ncifar10 = 'data'\n", r"\[execution\]: unknown key 'cifar10'"),
])
def test_bad_skip_rules_name_the_rule_and_the_key(write_spec, registry, table, error):
    with pytest.raises(SpecError, match=error):
        load_assignment(write_spec(VALID + "\n" + table), registry)
