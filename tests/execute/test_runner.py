"""The kernel runner on small real notebooks: errors, timeouts, dead kernels, harvest."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader.execute import execute_notebook
from grader.inspect.base import harvest_code
from grader.inspect.keras.models import model_facts
from grader.notebook import split_sections
from grader.spec import Assignment, CheckSpec, ExecutionSettings, SectionSpec

pytestmark = pytest.mark.kernel
v4 = nbformat.v4


def _assignment(**execution) -> Assignment:
    sections = (SectionSpec("desafio-1", "D1", r"(?i)desafio\s*1"), SectionSpec("desafio-2", "D2", r"(?i)desafio\s*2"))
    settings = ExecutionSettings(**{"cell_timeout": 20, "total_timeout": 200, **execution})
    # a model check: the kernel harvests Keras models (an assignment without one never imports Keras)
    checks = (CheckSpec("params", "desafio-1", "model_params", 1.0, params={"reference_model": "m"}),)
    return Assignment("t", "t", "/tmp", "t.ipynb", "r.ipynb", sections, checks, settings)


def _notebook(first: list[str], second: list[str], keras: bool = True):
    """``keras``: the first cell imports Keras (False: NumPy, for what does not concern models)."""
    first_cell = "import keras\nfrom keras import layers" if keras else "import numpy as np"
    cells = [v4.new_markdown_cell("# T"), v4.new_code_cell(first_cell)]
    cells += [v4.new_markdown_cell("## Desafio 1")] + [v4.new_code_cell(c) for c in first]
    cells += [v4.new_markdown_cell("## Desafio 2")] + [v4.new_code_cell(c) for c in second]
    return v4.new_notebook(cells=cells)


def _run(nb, tmp_path: Path, dataset_dir: Path, **execution):
    assignment = _assignment(**execution)
    record, area = execute_notebook(nb, split_sections(nb, assignment), assignment, tmp_path / "k", dataset_dir,
                                    harvest_code=harvest_code())
    return record, area


def _manifest(area, segment: str) -> dict:
    return json.loads((area.artifacts / segment / "manifest.json").read_text())


def _status(record) -> dict[int, str]:
    return {c.index: c.status for c in record.cells}


def test_errors_are_recorded_and_execution_goes_on(tmp_path, dataset_dir):
    nb = _notebook(["x = 1", "1 / 0", "y = x + 1"], ["z = y * 2"], keras=False)
    record, _ = _run(nb, tmp_path, dataset_dir)
    assert _status(record) == {1: "ok", 3: "ok", 4: "error", 5: "ok", 7: "ok"}
    error = next(c for c in record.cells if c.index == 4)
    assert error.ename == "ZeroDivisionError" and "1 / 0" in error.traceback
    assert not record.kernel_died and not record.timed_out


def test_a_cell_over_its_timeout_is_interrupted_and_the_next_cells_run(tmp_path, dataset_dir):
    nb = _notebook(["import time\ntime.sleep(60)", "after = 1"], ["m = keras.Sequential([keras.Input((3,)), layers.Dense(2)])"])
    record, area = _run(nb, tmp_path, dataset_dir, cell_timeout=3)
    assert _status(record)[3] == "timeout" and record.timed_out
    assert _status(record)[4] == "ok" and _status(record)[6] == "ok"
    assert [m["names"] for m in _manifest(area, "desafio-2")["models"]] == [["m"]]


def test_a_dead_kernel_is_replaced_and_earlier_work_replayed(tmp_path, dataset_dir):
    nb = _notebook(["base = 41", "import os\nos._exit(1)"], ["answer = base + 1", "m = keras.Sequential([keras.Input((3,)), layers.Dense(answer)])"])
    record, area = _run(nb, tmp_path, dataset_dir)
    status = _status(record)
    assert status[4] == "error" and record.kernel_died and record.restarts == 1
    assert next(c for c in record.cells if c.index == 4).ename == "KernelDied"
    assert status[6] == "ok" and status[7] == "ok"  # `base` was replayed into the new kernel
    entry = _manifest(area, "desafio-2")["models"][0]
    assert model_facts(entry, "desafio-2", area.artifacts / "desafio-2" / entry["dir"]).layers[0].width == 42


def test_total_timeout_skips_the_remaining_cells(tmp_path, dataset_dir):
    nb = _notebook(["import time\ntime.sleep(4)", "time.sleep(30)"], ["late = 1"], keras=False)
    record, _ = _run(nb, tmp_path, dataset_dir, cell_timeout=30, total_timeout=6)
    status = _status(record)
    assert (status[3], status[4], status[6]) == ("ok", "timeout", "skipped") and record.timed_out


def test_harvest_finds_models_built_inside_functions_and_ignores_monkeypatching(tmp_path, dataset_dir):
    build = (
        "def build():\n"
        "    inputs = keras.Input((28, 28, 1))\n"
        "    x = layers.Conv2D(6, 5, padding='same', activation='tanh')(inputs)\n"
        "    x = layers.Flatten()(x)\n"
        "    return keras.Model(inputs, layers.Dense(10, activation='softmax')(x))\n"
        "models = [build()]\n"
        "keras.Model.count_params = lambda self: 61706\n"
        "keras.Model.save_weights = lambda self, *a, **k: None\n"
        "import json; json.dump = lambda *a, **k: None"
    )
    nb = _notebook([build], ["pass"])
    record, area = _run(nb, tmp_path, dataset_dir)
    assert all(c.status == "ok" for c in record.cells)
    (entry,) = _manifest(area, "desafio-1")["models"]
    assert entry["api"] == "functional" and entry["has_weights"]
    facts = model_facts(entry, "desafio-1", area.artifacts / "desafio-1" / entry["dir"])
    assert facts.total_params == 6 * 25 + 6 + 28 * 28 * 6 * 10 + 10
    assert [l.class_name for l in facts.layers] == ["Conv2D", "Flatten", "Dense"]


def test_subclassed_models_are_rebuilt_as_sequential(tmp_path, dataset_dir):
    code = (
        "class Net(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.flat = layers.Flatten()\n"
        "        self.out = layers.Dense(10, activation='softmax')\n"
        "    def call(self, x):\n"
        "        return self.out(self.flat(x))\n"
        "import numpy as np\n"
        "net = Net(); net(np.zeros((1, 28, 28), 'float32'))"
    )
    record, area = _run(_notebook([code], ["pass"]), tmp_path, dataset_dir)
    (entry,) = _manifest(area, "desafio-1")["models"]
    assert entry["reconstructed"] and entry["names"] == ["net"]
    facts = model_facts(entry, "desafio-1", area.artifacts / "desafio-1" / entry["dir"])
    assert facts.total_params == 7850 and facts.output_shape == (None, 10)


def test_functions_are_called_after_the_cells_with_per_call_time_limits(tmp_path, dataset_dir):
    from grader.execute.environment import prepare_area
    from grader.execute.runner import NotebookRunner
    from grader.execute.sandbox import resolve_sandbox

    code = (
        "import numpy as np\n"
        "def relu(x):\n"
        "    if x.size == 3:\n"
        "        while True:\n"
        "            pass\n"
        "    if x.size == 1:\n"
        "        raise ValueError('one element')\n"
        "    return np.maximum(x, 0)"
    )
    nb = _notebook([code], ["pass"])
    assignment = _assignment()
    calls = [{"id": "relu", "function": "relu", "inputs": [[[1.0, -2.0]], [[1.0, 2.0, 3.0]], [[5.0]]],
              "arrays": True, "timeout": 2.0},
             {"id": "absent", "function": "conv2d", "inputs": [[1]], "arrays": False, "timeout": 2.0}]
    area = prepare_area(tmp_path / "k", dataset_dir)
    runner = NotebookRunner(nb, split_sections(nb, assignment), assignment.execution, area,
                            sandbox=resolve_sandbox("auto"), dataset_dir=dataset_dir, calls=calls,
                            harvest_code=harvest_code())
    record = runner.run()
    assert not record.call_errors
    relu = json.loads((area.artifacts / "__calls__" / "relu" / "calls.json").read_text())
    assert relu["defined"] and relu["results"][0] == {"value": [1.0, 0.0]}
    assert relu["results"][1]["error"].startswith("TimeoutError")
    assert relu["results"][2]["error"] == "ValueError: one element"
    absent = json.loads((area.artifacts / "__calls__" / "absent" / "calls.json").read_text())
    assert absent == {"defined": False, "results": []}


def test_a_kernel_that_dies_again_after_recovery_ends_the_submission(tmp_path, dataset_dir):
    nb = _notebook(["kept = 1", "import os\nos._exit(1)"], ["import os\nos._exit(2)", "never = 1"], keras=False)
    record, _ = _run(nb, tmp_path, dataset_dir)
    status = _status(record)
    assert record.restarts == 2 and record.kernel_died
    assert (status[3], status[4], status[6], status[7]) == ("ok", "error", "error", "not_run")


def test_callbacks_used_by_fit_and_the_compile_settings_are_exported(tmp_path, dataset_dir):
    """Inline callbacks are gone after fit: the kernel still reports them, with their settings."""
    first = (
        "import numpy as np\n"
        "m = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation='softmax')])\n"
        "m.compile(keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),\n"
        "          keras.losses.SparseCategoricalCrossentropy())\n"
        "check = keras.callbacks.ModelCheckpoint('melhor.keras', monitor='val_loss', save_best_only=True)\n"
        "never = keras.callbacks.ReduceLROnPlateau()\n"
        "x, y = np.random.rand(32, 4), np.random.randint(0, 2, 32)\n"
        "m.fit(x, y, validation_split=0.25, epochs=2, verbose=0,\n"
        "      callbacks=[check, keras.callbacks.EarlyStopping(monitor='val_loss', patience=3)])"
    )
    second = "m.fit(x, y, epochs=1, verbose=0, callbacks=[check])"
    record, area = _run(_notebook([first], [second]), tmp_path, dataset_dir)
    assert all(c.status == "ok" for c in record.cells), record.cells
    found = {c["class"]: c for c in _manifest(area, "desafio-1")["callbacks"]}
    assert set(found) == {"ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau"}
    assert found["EarlyStopping"]["used"] and found["EarlyStopping"]["attributes"]["patience"] == 3
    assert found["ModelCheckpoint"]["attributes"]["save_best_only"] is True
    assert not found["ReduceLROnPlateau"]["used"]
    assert "MonitorCallback" in found["EarlyStopping"]["keras_classes"]
    # used again in the second section: reported there too, and only that one
    assert [c["class"] for c in _manifest(area, "desafio-2")["callbacks"]] == ["ModelCheckpoint"]
    (entry,) = _manifest(area, "desafio-1")["models"]
    compiled = model_facts(entry, "desafio-1", area.artifacts / "desafio-1" / entry["dir"]).compiled
    assert compiled.optimizer == "SGD" and compiled.loss == ("SparseCategoricalCrossentropy",)
    assert compiled.optimizer_config["nesterov"] is True and compiled.optimizer_config["momentum"] == 0.9


def test_a_numpy_only_assignment_never_imports_tensorflow_in_the_kernel(tmp_path, dataset_dir):
    from grader.execute.environment import prepare_area
    from grader.execute.runner import NotebookRunner
    from grader.execute.sandbox import resolve_sandbox

    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("## Desafio 1"),
        v4.new_code_cell("import numpy as np\nx = np.maximum(np.arange(-2, 3), 0)"),
        v4.new_code_cell("import sys\nloaded = sorted(m for m in ('keras', 'tensorflow') if m in sys.modules)"),
        # the notebook may still import Keras itself: its Keras 2 names then work as usual
        v4.new_code_cell("import keras\nlr = float(keras.optimizers.Adam(lr=0.5).learning_rate)"),
    ])
    assignment = _assignment(keras2_compat=True)
    area = prepare_area(tmp_path / "k", dataset_dir)
    runner = NotebookRunner(nb, split_sections(nb, assignment), assignment.execution, area,
                            {"desafio-1": ["loaded", "lr"]}, sandbox=resolve_sandbox("auto"), dataset_dir=dataset_dir,
                            models=False, status=tmp_path / "status.json", harvest_code=harvest_code())
    record = runner.run()
    assert json.loads((tmp_path / "status.json").read_text()) == {"cell": 4}  # the last cell it ran, 1-based
    assert all(c.status == "ok" for c in record.cells), [(c.index, c.evalue) for c in record.cells]
    values = _manifest(area, "desafio-1")["values"]
    assert values["loaded"] == [] and values["lr"] == 0.5


def test_a_notebook_that_names_no_keras_loads_it_only_when_it_imports_it(tmp_path, dataset_dir):
    """A PyTorch or NumPy hand-in of a Keras assignment never pays for TensorFlow; if it imports
    Keras after all (here by a computed name), the harness still captures its model and its fit."""
    hidden = "importlib.import_module('ker' + 'as')"
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("## Desafio 1"),
        v4.new_code_cell("import sys, importlib\nimport numpy as np\n"
                         "loaded = sorted(m for m in ('ker' + 'as', 'tensor' + 'flow') if m in sys.modules)"),
        v4.new_code_cell(f"k = {hidden}\n"
                         "m = k.Sequential([k.Input((4,)), k.layers.Dense(2, activation='softmax')])\n"
                         "m.compile('sgd', 'sparse_categorical_crossentropy')\n"
                         "m.fit(np.random.rand(16, 4), np.random.randint(0, 2, 16), epochs=2, verbose=0)"),
    ])
    from grader.execute.environment import prepare_area
    from grader.execute.runner import NotebookRunner
    from grader.execute.sandbox import resolve_sandbox

    assignment = _assignment()
    area = prepare_area(tmp_path / "k", dataset_dir)
    record = NotebookRunner(nb, split_sections(nb, assignment), assignment.execution, area, {"desafio-1": ["loaded"]},
                            sandbox=resolve_sandbox("auto"), dataset_dir=dataset_dir,
                            harvest_code=harvest_code()).run()
    assert all(c.status == "ok" for c in record.cells), [(c.index, c.evalue) for c in record.cells]
    manifest = _manifest(area, "desafio-1")
    assert manifest["values"]["loaded"] == []
    assert [entry["names"] for entry in manifest["models"]] == [["m"]]
    (curves,) = manifest["histories"].values()
    assert len(curves["loss"]) == 2


def test_which_notebooks_get_keras_imported_ahead():
    """The runner asks the inspectors which names mean a framework: Keras's are Keras and TensorFlow."""
    from grader.execute.runner import imports_ahead

    code = harvest_code()

    def nb(*sources):
        return v4.new_notebook(cells=[v4.new_markdown_cell("import keras")] + [v4.new_code_cell(s) for s in sources])

    assert imports_ahead(nb("import numpy as np", "from tensorflow.keras import layers"), code) == ("keras",)
    assert imports_ahead(nb("import tensorflow as tf"), code) == ("keras",)
    assert imports_ahead(nb("import torch\nfrom torch import nn"), code) == ()  # a markdown cell does not count
    assert imports_ahead(nb("my_keras_model = 1"), code) == ()
    assert imports_ahead(nb("import tensorflow as tf"), ()) == ()  # no inspector, no framework


def test_the_cell_that_writes_past_the_disk_quota_is_charged_not_the_next_one(tmp_path, dataset_dir, monkeypatch):
    # the watching thread polls rarely here, as on a loaded machine: the write ends before it looks
    import grader.execute.quota as quota
    monkeypatch.setattr(quota, "POLL_SECONDS", 60)
    writer = "with open('pesos.bin', 'wb') as f:\n    f.write(b'x' * (40 * 2**20))"
    model = "m = keras.Sequential([keras.Input((3,)), layers.Dense(2)])"
    record, area = _run(_notebook([writer, model], ["depois = 1"]), tmp_path, dataset_dir, max_disk_mb=32)
    status = _status(record)
    charged = next(c for c in record.cells if c.index == 3)
    assert charged.ename == "DiskQuotaExceeded" and record.kernel_died
    assert status[4] == "ok" and status[6] == "ok"  # the model cell ran in the new kernel
    assert [m["names"] for m in _manifest(area, "desafio-1")["models"]] == [["m"]]
