"""The compatibility layer of the kernel: Colab hand-ins, ``!pip``, magics, Keras 2-era names.

Pure tests (parsing, the package-manager answers, the Colab stand-in modules, notebooks
with Colab metadata) need no kernel; the kernel tests run two notebooks in all, one with
``keras2_compat`` on and one with it off, each once per module.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from grader.execute.compat import kernel_source
from grader.notebook import load_notebook, split_sections
from grader.spec import Assignment, CheckSpec, ExecutionSettings, SectionSpec

kc = types.ModuleType("grader_kernel_compat")  # the text the kernel gets, as the kernel runs it
exec(compile(kernel_source(), "<grader-compat>", "exec"), kc.__dict__)

v4 = nbformat.v4
SECTIONS = (SectionSpec("desafio-1", "D1", r"(?i)desafio\s*1"), SectionSpec("desafio-2", "D2", r"(?i)desafio\s*2"))
COLAB_FIRST_CELL = (
    "!pip install -q numpy matplotlib\n"
    "from google.colab import drive\n"
    "drive.mount('/content/drive')\n"
    "import numpy as np"
)


# ------------------------------------------------------------------ parsing (pure)
@pytest.mark.parametrize("spec, name", [
    ("numpy", "numpy"), ("numpy==1.26.4", "numpy"), ("scikit-learn>=1.3,<2", "scikit-learn"),
    ("keras[tensorflow]~=2.15", "keras"), ("tensorflow<2.16; python_version<'3.12'", "tensorflow"),
    ("Pillow (>=9)", "Pillow"), ("mylib @ https://example.org/mylib.zip", "mylib"),
    ("git+https://github.com/u/repo.git#egg=repo", "repo"), ("git+https://github.com/u/repo.git", None),
    ("https://example.org/x-1.0-py3-none-any.whl", None), ("./local_pkg", None), ("x-1.0.tar.gz", None),
    ("", None),
])
def test_requirement_names(spec, name):
    assert kc.requirement_name(spec) == name


def test_pip_options_are_skipped_and_their_values_too():
    packages, others, files = kc.pip_targets(
        ["-q", "-U", "--upgrade", "numpy==1.2", "-r", "req.txt", "--index-url", "https://x/simple",
         "--extra-index-url=https://y", "-qU", "pandas[excel]>=2", "-rmore.txt", "--no-cache-dir",
         "-e", "git+https://github.com/a/b", "-t", "/tmp/target", "--requirement=third.txt", "seaborn"])
    assert packages == ["numpy", "pandas", "seaborn"]
    assert others == ["git+https://github.com/a/b"]
    assert files == ["req.txt", "more.txt", "third.txt"]


@pytest.mark.parametrize("command, tool, subcommand, packages", [
    ("pip install -q numpy nao-existe-pacote-xyz", "pip", "install", ["numpy", "nao-existe-pacote-xyz"]),
    ("pip3 install --upgrade tensorflow", "pip", "install", ["tensorflow"]),
    ("/usr/bin/python3 -m pip install 'keras==2.15' > /dev/null 2>&1", "pip", "install", ["keras"]),
    ("python -m pip -q install seaborn", "pip", "install", ["seaborn"]),
    ("sudo -H pip3.11 install scikit-learn | tail -1", "pip", "install", ["scikit-learn"]),
    ("uv pip install polars", "pip", "install", ["polars"]),
    ("pip uninstall -y keras", "pip", "uninstall", []),
    ("pip list", "pip", "list", []),
    ("conda install -y -c conda-forge opencv=4.8", "conda", "install", ["opencv"]),
    ("apt-get install -y graphviz", "apt", "install", []),
    ("sudo apt install -qq tree", "apt", "install", []),
])
def test_package_manager_commands_are_recognized(command, tool, subcommand, packages):
    action = kc.parse_command(command)
    assert (action["tool"], action["subcommand"], action["packages"]) == (tool, subcommand, packages)


@pytest.mark.parametrize("command", ["ls -la", "nvidia-smi", "wget https://x/pip.tar.gz", "echo pip install x",
                                     "python train.py", "cat pip_list.txt"])
def test_other_commands_are_not_intercepted(command):
    actions, rest = kc.parse_shell(command)
    assert actions == [] and rest == [command]


def test_shell_lines_are_split_into_commands_respecting_quotes():
    assert kc.split_shell("apt-get update && apt-get install -y x; echo 'a && b' || true\nls") == [
        "apt-get update", "apt-get install -y x", "echo 'a && b'", "true", "ls"]
    actions, rest = kc.parse_shell("pip install -q numpy && python -c 'print(1)'")
    assert [a["packages"] for a in actions] == [["numpy"]] and rest == ["python -c 'print(1)'"]


def test_requirements_files_are_read(tmp_path):
    (tmp_path / "base.txt").write_text("scipy>=1  # comment\n")
    (tmp_path / "req.txt").write_text("# list\nnumpy==1.26\n-r base.txt\n--index-url https://x\n\nnada-xyz\n")
    record = kc._Recorder()
    lines = kc._PackageManagers(record).handle(kc.parse_command(f"pip install -r {tmp_path / 'req.txt'}"))
    assert {(e["kind"], e["name"]) for e in record.events} == {
        ("pip_present", "numpy"), ("pip_present", "scipy"), ("pip_missing", "nada-xyz")}
    assert len(lines) == 3


def test_installed_and_missing_packages_are_answered_without_installing():
    import numpy

    record = kc._Recorder()
    managers = kc._PackageManagers(record)
    lines = managers.handle(kc.parse_command("pip install -q NumPy nao-existe-pacote-xyz sklearn"))
    assert lines[0] == f"grader: NumPy já está instalado (versão {numpy.__version__}); nada foi instalado."
    assert "nao-existe-pacote-xyz não está disponível no ambiente de correção" in lines[1]
    assert "sklearn (scikit-learn) já está instalado" in lines[2]  # the import name maps to its distribution
    assert [(e["kind"], e["name"], e["detail"]) for e in record.events[:1]] == [
        ("pip_present", "NumPy", numpy.__version__)]
    managers.handle(kc.parse_command("apt-get install -y graphviz"))
    assert record.events[-1] == {"kind": "apt", "name": "apt-get install -y graphviz", "modern": "",
                                 "detail": "comando do sistema não executado"}


def test_events_are_deduplicated_and_bounded():
    record = kc._Recorder()
    record("magic", "%tensorflow_version 2.x")
    record("magic", "%tensorflow_version 2.x")
    assert len(record.events) == 1
    for n in range(kc.MAX_EVENTS + 50):
        record("pip_missing", f"p{n}")
    assert len(record.events) == kc.MAX_EVENTS
    assert all(set(e) == {"kind", "name", "modern", "detail"} for e in record.events)


def test_colab_stand_in_modules_without_a_kernel():
    record = kc._Recorder()
    modules = kc._colab_modules(record)
    assert set(modules) == {"google.colab", "google.colab.drive", "google.colab.files", "google.colab.output",
                            "google.colab.patches"}
    drive = modules["google.colab.drive"][0]("google.colab.drive")
    drive.mount("/content/gdrive", force_remount=True)
    files = modules["google.colab.files"][0]("google.colab.files")
    with pytest.raises(RuntimeError) as raised:
        files.upload()
    assert str(raised.value) == kc.UPLOAD_ERROR and "fashion_mnist.load_data()" in kc.UPLOAD_ERROR
    output = modules["google.colab.output"][0]("google.colab.output")
    assert output.clear() is None and output.anything_else() is None
    with output.use_tags("x"):
        pass
    assert [(e["kind"], e["name"]) for e in record.events] == [
        ("colab_drive_mount", "/content/gdrive"), ("colab_files", "files.upload")]
    assert set(kc.EVENT_KINDS) >= {e["kind"] for e in record.events}


def test_files_download_of_a_saved_file_is_a_noted_no_op_and_of_a_missing_one_fails_as_in_colab(tmp_path, capsys):
    record = kc._Recorder()
    files = kc._colab_modules(record)["google.colab.files"][0]("google.colab.files")
    saved = tmp_path / "modelo.keras"
    saved.write_bytes(b"x")
    assert files.download(str(saved)) is None  # a notebook ending in files.download keeps its `executes`
    assert "files.download" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="Cannot find file"):
        files.download(str(tmp_path / "nunca-salvo.csv"))
    assert [(e["kind"], e["name"]) for e in record.events] == [("colab_files", "files.download")]


def test_kernel_compat_imports_nothing_from_the_grader():
    tree = ast.parse(kernel_source())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] == "grader"]


def _colab_json(with_metadata: bool) -> dict:
    def cell(kind, source, number):
        data = {"cell_type": kind, "source": source, "metadata": {}}
        if kind == "code":
            data.update(execution_count=None, outputs=[])
        if with_metadata:
            data["metadata"] = {"id": f"c{number}XyZ", "colab": {"base_uri": "https://localhost:8080/"},
                                "outputId": f"{number}f3a-77"}
            if kind == "code":
                data["execution_count"] = number
                data["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}]
        return data

    cells = [cell("markdown", "# Trabalho", 0), cell("code", COLAB_FIRST_CELL, 1),
             cell("markdown", "## Desafio 1", 2), cell("code", "x = np.arange(3)", 3),
             cell("markdown", "## Desafio 2", 4), cell("code", "y = x + 1", 5)]
    metadata = {}
    if with_metadata:
        metadata = {"colab": {"provenance": [], "gpuType": "T4", "name": "Trabalho.ipynb"}, "accelerator": "GPU",
                    "kernelspec": {"name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"}}
    return {"nbformat": 4, "nbformat_minor": 0, "metadata": metadata, "cells": cells}


def test_a_colab_notebook_loads_and_splits_like_a_plain_one(tmp_path):
    assignment = Assignment("t", "t", "/tmp", "t.ipynb", "r.ipynb", SECTIONS, ())
    segments = []
    for flag in (True, False):
        path = tmp_path / f"colab-{flag}.ipynb"
        path.write_text(json.dumps(_colab_json(flag)), encoding="utf-8")
        segments.append(split_sections(load_notebook(path), assignment))
    assert segments[0] == segments[1]
    assert [(s.section, s.cells) for s in segments[0]] == [(None, (0, 1)), ("desafio-1", (2, 3)),
                                                           ("desafio-2", (4, 5))]


# ------------------------------------------------------------------ in a kernel
def _run(cells_1: list[str], cells_2: list[str], area_root: Path, dataset_dir: Path, keras2: bool):
    from grader.execute import execute_notebook
    from grader.inspect.base import harvest_code

    cells = [v4.new_markdown_cell("# Trabalho"), v4.new_code_cell(COLAB_FIRST_CELL)]
    cells += [v4.new_markdown_cell("## Desafio 1")] + [v4.new_code_cell(c) for c in cells_1]
    cells += [v4.new_markdown_cell("## Desafio 2")] + [v4.new_code_cell(c) for c in cells_2]
    nb = v4.new_notebook(cells=cells)
    settings = ExecutionSettings(cell_timeout=60, total_timeout=240, keras2_compat=keras2)
    # a model check, so that the kernel harvests Keras models (a model-free assignment never imports Keras)
    checks = (CheckSpec("params", "desafio-1", "model_params", 1.0, params={"reference_model": "model"}),)
    assignment = Assignment("t", "t", "/tmp", "t.ipynb", "r.ipynb", SECTIONS, checks, settings)
    record, area = execute_notebook(nb, split_sections(nb, assignment), assignment, area_root, dataset_dir,
                                    harvest_code=harvest_code())
    return record, area


def _compat(area, segment: str) -> list[dict]:
    return json.loads((area.artifacts / segment / "manifest.json").read_text())["compat"]


def _cells(record) -> dict:
    return {c.index: c for c in record.cells}


@pytest.fixture(scope="module")
def with_compat(tmp_path_factory, dataset_dir):
    first = [
        "a = np.arange(3)",
        "from google.colab import files\nenviado = files.upload()",
        "%tensorflow_version 2.x",
        "!pip install -q numpy nao-existe-pacote-xyz",
        "from keras.utils import np_utils\n"
        "y = np_utils.to_categorical(np.array([0, 1, 2]), 3)\nassert y.shape == (3, 3)",
        "from keras.layers.convolutional import Conv2D\nimport keras",
        # keras.wrappers (scikit-learn, most of SciPy: a fifth of the import) loads on first use
        "import sys\nassert 'sklearn' not in sys.modules, sorted(m for m in sys.modules if 'sklearn' in m)[:5]",
        "model = keras.Sequential([keras.Input((4, 4, 1)), Conv2D(2, 3), keras.layers.Flatten(),\n"
        "                          keras.layers.Dense(3, activation='softmax')])\n"
        "model.compile(keras.optimizers.Adam(lr=0.01), 'categorical_crossentropy')\n"
        "assert abs(float(model.optimizer.learning_rate) - 0.01) < 1e-6",
        "def batches():\n"
        "    while True:\n"
        "        yield np.zeros((2, 4, 4, 1), 'float32'), np.eye(3, dtype='float32')[[0, 1]]\n"
        "history = model.fit_generator(batches(), steps_per_epoch=1, epochs=1, verbose=0, workers=2)",
    ]
    second = ["classes = model.predict_classes(np.zeros((2, 4, 4, 1), 'float32'))\nassert classes.shape == (2,)",
              "from keras.preprocessing.image import ImageDataGenerator\n"
              "aumento = ImageDataGenerator(rotation_range=10)",
              # a Keras 2 tutorial's forms: each runs, with its Keras 2 meaning
              "import os\nfrom keras.layers.experimental.preprocessing import Rescaling\n"
              "escala = keras.Sequential([keras.Input((4, 4, 1)), Rescaling(1 / 255.0), keras.layers.AveragePooling2D(),\n"
              "                           keras.layers.Flatten(), keras.layers.Dense(3, activation='softmax')])\n"
              "escala.compile(keras.optimizers.legacy.SGD(lr=0.1), 'categorical_crossentropy', ['accuracy'])\n"
              "assert escala.layers[1].output_shape == (None, 2, 2, 1)\n"
              "escala.save('modelo_salvo')\n"
              "assert keras.models.load_model('modelo_salvo').count_params() == escala.count_params() == 15\n"
              "escala.save_weights('checkpoints/pesos')\n"
              "escala.load_weights('checkpoints/pesos').expect_partial()",
              # subclasses built with arguments: plain ones are kept for the judge, others named
              "class Rede(keras.Model):\n"
              "    def __init__(self, unidades, formas):\n"
              "        super().__init__()\n"
              "        self.densa = keras.layers.Dense(unidades)\n"
              "    def call(self, x):\n"
              "        return self.densa(x) * 2.0\n"
              "rede_simples = Rede(3, formas={'a': (1, 2)})\nrede_simples(np.zeros((1, 4), 'float32'))\n"
              "rede_dados = Rede(3, np.zeros(5))\nrede_dados(np.zeros((1, 4), 'float32'))",
              "from keras.wrappers import SKLearnClassifier\nimport tensorflow as tf\n"
              "assert 'sklearn' in sys.modules and tf.keras.wrappers.SKLearnRegressor.__name__ == 'SKLearnRegressor'"]
    return _run(first, second, tmp_path_factory.mktemp("compat-on"), dataset_dir, keras2=True)


@pytest.fixture(scope="module")
def without_compat(tmp_path_factory, dataset_dir):
    first = ["a = np.arange(3)", "from keras.utils import np_utils", "from keras.layers.convolutional import Conv2D",
             "import keras\nkeras.optimizers.Adam(lr=0.01)"]
    return _run(first, ["b = a.sum()"], tmp_path_factory.mktemp("compat-off"), dataset_dir, keras2=False)


@pytest.mark.kernel
def test_a_colab_hand_in_runs_and_its_keras2_names_work(with_compat):
    record, area = with_compat
    cells = _cells(record)
    upload = 4
    assert {i: c.status for i, c in cells.items() if i != upload} == {
        i: "ok" for i in cells if i != upload}, [(c.index, c.ename, c.evalue) for c in record.cells if c.status != "ok"]
    assert cells[upload].status == "error" and cells[upload].ename == "RuntimeError"
    assert cells[upload].evalue == kc.UPLOAD_ERROR
    assert not record.error and not record.kernel_died

    preamble = {(e["kind"], e["name"]) for e in _compat(area, "_seg0")}
    assert preamble >= {("pip_present", "numpy"), ("pip_present", "matplotlib"), ("colab_import", "google.colab"),
                        ("colab_import", "google.colab.drive"), ("colab_drive_mount", "/content/drive")}
    first = _compat(area, "desafio-1")
    kinds = {(e["kind"], e["name"], e["modern"]) for e in first}
    assert kinds >= {("colab_files", "files.upload", ""), ("magic", "%tensorflow_version 2.x", ""),
                     ("pip_missing", "nao-existe-pacote-xyz", ""),
                     ("keras2", "keras.utils.np_utils", "keras.utils"),
                     ("keras2", "keras.layers.convolutional", "keras.layers"),
                     ("keras2", "lr=", "learning_rate="), ("keras2", "model.fit_generator", "model.fit")}
    assert ("pip_present", "numpy") not in {(e["kind"], e["name"]) for e in first}  # reported once, in _seg0
    second = {(e["kind"], e["name"], e["modern"]) for e in _compat(area, "desafio-2")}
    assert second == {
        ("keras2", "model.predict_classes", "np.argmax(model.predict(x), axis=-1)"),
        ("keras2", "keras.preprocessing.image.ImageDataGenerator", "tensorflow.keras.preprocessing.image.ImageDataGenerator"),
        ("keras2", "keras.layers.experimental.preprocessing", "keras.layers"),
        ("keras2", "AveragePooling2D()", "AveragePooling2D(pool_size=(2, 2))"),
        ("keras2", "keras.optimizers.legacy.SGD", "keras.optimizers.SGD"),
        ("keras2", "compile(optimizer, loss, metrics)", "compile(optimizer=..., loss=..., metrics=...)"),
        ("keras2", "layer.output_shape", "layer.output.shape"),
        ("keras2", 'model.save("modelo_salvo")', 'model.save("modelo_salvo.keras")'),
        ("keras2", 'save_weights("checkpoints/pesos")', 'save_weights("checkpoints/pesos.weights.h5")'),
        ("keras2", 'load_weights("checkpoints/pesos")', 'load_weights("checkpoints/pesos.weights.h5")'),
        ("keras2", "lr=", "learning_rate="),  # SGD(lr=...) this time
    }  # and nothing Keras itself asked (Sequential's hasattr(layer, "input_shape") when load_model rebuilds it)

    from grader.inspect.keras.models import model_facts

    (entry,) = json.loads((area.artifacts / "desafio-1" / "manifest.json").read_text())["models"]
    facts = model_facts(entry, "desafio-1", area.artifacts / "desafio-1" / entry["dir"])
    assert facts.compiled.optimizer == "Adam"
    assert abs(facts.compiled.optimizer_config["learning_rate"] - 0.01) < 1e-6


@pytest.mark.kernel
def test_constructor_arguments_are_recorded_plain_or_named(with_compat, tmp_path):
    from grader.checks.structure import unloaded
    from grader.inspect import _inspect_model
    from grader.inspect.judge import Judge, JudgeSetup
    from grader.execute.sandbox import Sandbox

    _, area = with_compat
    folder = area.artifacts / "desafio-2"
    entries = {tuple(e["names"]): e for e in json.loads((folder / "manifest.json").read_text())["models"]}
    simple, data = entries[("rede_simples",)], entries[("rede_dados",)]
    assert simple["judge"] and "constructor_not_plain" not in simple
    config = json.loads((folder / simple["dir"] / "model.json").read_text())
    assert config["grader_init"] == {"args": [3], "kwargs": {"formas": {"__dict__": [["a", {"__tuple__": [1, 2]}]]}}}
    assert data["judge"] and data["constructor_not_plain"] == ["formas (ndarray)"]

    # the judge is never asked to rebuild it (it is not even started): a teacher looks
    with Judge(JudgeSetup(tmp_path, Sandbox(), ExecutionSettings(), "")) as judge:
        facts = _inspect_model(data, "desafio-2", folder / data["dir"], (), {}, 10**6, judge)
        assert judge.process is None
    assert facts.constructor_arguments == ("formas (ndarray)",) and not facts.loaded
    outcome = unloaded(facts)
    assert (outcome.status, outcome.message, outcome.params) == (
        "review", "model.constructor_arguments", {"arguments": "formas (ndarray)"})


@pytest.mark.kernel
def test_without_keras2_compat_the_old_names_still_fail(without_compat):
    record, area = without_compat
    cells = _cells(record)
    assert cells[1].status == "ok" and cells[3].status == "ok"  # the Colab stand-in is always there
    # `from keras.utils import np_utils`: keras.utils exists, so Python reports the missing name
    assert (cells[4].ename, cells[5].ename) == ("ImportError", "ModuleNotFoundError")
    assert "np_utils" in cells[4].evalue and "keras.layers.convolutional" in cells[5].evalue
    assert cells[6].ename == "ValueError" and "lr" in cells[6].evalue
    assert cells[8].status == "ok"
    events = _compat(area, "_seg0") + _compat(area, "desafio-1") + _compat(area, "desafio-2")
    assert {e["kind"] for e in events} == {"pip_present", "colab_import", "colab_drive_mount"}


def test_a_lazy_module_loads_on_first_use_not_when_asked_its_file_or_class(tmp_path, monkeypatch):
    import inspect
    import sys

    from grader.execute.compat.finder import _LazyModules

    (tmp_path / "pacote_lento").mkdir()
    (tmp_path / "pacote_lento" / "__init__.py").write_text("import sys\nsys.carregou = True\nVALOR = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", [_LazyModules({"pacote_lento"})] + sys.meta_path)
    monkeypatch.delattr(sys, "carregou", raising=False)
    monkeypatch.delitem(sys.modules, "pacote_lento", raising=False)
    import pacote_lento

    inspect.getmodule(test_a_lazy_module_loads_on_first_use_not_when_asked_its_file_or_class)  # as a traceback does
    assert not isinstance(pacote_lento, int) and pacote_lento.__file__.endswith("__init__.py")
    assert not hasattr(sys, "carregou")
    assert pacote_lento.VALOR == 7 and sys.carregou
    assert type(pacote_lento) is type(sys)  # an ordinary module once loaded
    del sys.carregou


FRAMEWORK_IMPORTS = r'''
import gc, json, sys
from grader.execute.compat.finder import after_import, pause_collector_for_frameworks

seen = {}
pause_collector_for_frameworks(("quadro", "tocha"))
after_import("quadro", lambda: seen.setdefault("callback_collector_on", gc.isenabled()))
before = gc.get_freeze_count()
import quadro
seen["after_quadro"] = [gc.isenabled(), gc.get_freeze_count() > before]
frozen = gc.get_freeze_count()
minha_lista = [[]]  # an object of the notebook's, made after the first framework
import tocha
seen["after_tocha"] = [gc.isenabled(), gc.get_freeze_count() == frozen]
gc.disable()
import json as _json  # a module outside the frameworks: the collector stays as the notebook left it
seen["notebook_choice_kept"] = not gc.isenabled()
print(json.dumps({**seen, "quadro": quadro.ON, "interno": quadro.INTERNO, "tocha": tocha.ON}))
'''


def test_framework_imports_run_with_the_collector_paused_and_only_the_first_freezes(tmp_path):
    # quadro (like keras) imports interno (like tensorflow) as it loads; tocha (like torch) comes later
    for name, body in {"quadro": "import gc\nON = gc.isenabled()\nimport interno\nINTERNO = interno.ON\n",
                       "interno": "import gc\nON = gc.isenabled()\n", "tocha": "import gc\nON = gc.isenabled()\n"}.items():
        (tmp_path / f"{name}.py").write_text(body, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parents[2])])}
    done = subprocess.run([sys.executable, "-c", FRAMEWORK_IMPORTS], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    # paused while each framework (and what it imports, and its after-import callbacks) loads
    assert (seen["quadro"], seen["interno"], seen["callback_collector_on"], seen["tocha"]) == (False,) * 4
    assert seen["after_quadro"] == [True, True]  # on again, and what the first import made is frozen
    assert seen["after_tocha"] == [True, True]  # on again, nothing frozen: minha_lista stays collectable
    assert seen["notebook_choice_kept"]
