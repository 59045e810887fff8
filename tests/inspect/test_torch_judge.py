"""PyTorch modules from the kernel's export to the judge's description, without a kernel.

The torch harvest runs in a fresh Python process (it hooks ``nn.Module`` as in a kernel), the
grader takes its files, and the judge's PyTorch code builds, loads and traces the module here.
A few seconds: torch is imported, nothing is trained.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from grader.checks.structure import compare_layers, normalize_layers  # noqa: E402
from grader.execute.take import Budget, HarvestLimits, take_harvest  # noqa: E402
from grader.inspect.torch import TORCH, _counts, _uses_notebook_classes  # noqa: E402
from grader.execute import judge_side as protocol  # noqa: E402
from grader.inspect.torch import judge_side  # noqa: E402
from grader.inspect.torch.layers import torch_layer  # noqa: E402
from grader.inspect.torch.tensors import tensor_sizes  # noqa: E402
from tests.checks.conftest import lenet_layers  # noqa: E402
from tests.checks.test_vocabulary import EQUIVALENT  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = vars(protocol)  # the judge protocol's namespace, as the judge passes it to load()

DEFINITIONS = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn = nn.BatchNorm1d(120)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), (2, 2))
        x = x.view(x.size(0), -1)
        x = F.relu(self.bn(self.fc1(x)))
        x = self.fc2(x).relu()
        return self.fc3(x)
'''

# a notebook's cells, as the harness sees them: the module is created after torch was imported
NOTEBOOK = DEFINITIONS + '''
harness.note_cell(user_ns, 1)
user_ns["rede"] = LeNet5(num_classes=10)
user_ns["seq"] = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.3),
                               nn.Linear(4 * 13 * 13, 10))
user_ns["rede"](torch.zeros(3, 1, 28, 28))
user_ns["perda"] = nn.CrossEntropyLoss()  # no parameters: not a model
harness.note_cell(user_ns, 2)
manifest = {"models": []}
os.makedirs(out, exist_ok=True)
harness.extensions[0].harvest(user_ns, out, manifest, True)
json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"))
'''

RUN = '''
import json, os, sys
out = sys.argv[1]
side = {"__name__": "grader_kernel_side"}
exec(open(sys.argv[2]).read(), side)
harness = side["Harness"](42, 10**6)
ns = {"__name__": "grader_kernel_torch"}
exec(open(sys.argv[3]).read(), ns)
ns["install"](harness, side)
user_ns = {}
import torch
harness.note_cell(user_ns, 1)  # torch is imported: the hooks are set
exec(sys.argv[4], globals())
'''


@pytest.fixture(scope="module")
def taken(tmp_path_factory):
    """The harvest of a fresh process holding a LeNet5 subclass and an nn.Sequential, taken."""
    root = tmp_path_factory.mktemp("torch")
    exports = root / "exports" / "desafio-3"
    env = {**os.environ, "PYTHONPATH": ""}
    done = subprocess.run([sys.executable, "-c", RUN, str(exports), str(ROOT / "grader/execute/kernel_side.py"),
                           str(ROOT / "grader/inspect/torch/kernel_side.py"), NOTEBOOK],
                          capture_output=True, text=True, env=env, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    limits = HarvestLimits(model_files=frozenset(TORCH.model_files), description_files=frozenset(TORCH.description_files))
    result = take_harvest(exports, root / "artifacts" / "desafio-3", Budget(limits))
    assert result.tampering is None
    return result


def _entry(taken, name):
    return next(e for e in taken.manifest["models"] if name in e["names"])


def test_the_harvest_exports_modules_with_their_constructor_and_last_input(taken):
    assert sorted(n for e in taken.manifest["models"] for n in e["names"]) == ["rede", "seq"]
    rede = _entry(taken, "rede")
    assert rede["framework"] == "torch" and rede["api"] == "subclass" and rede["execution_count"] == 2
    described = json.loads((taken.folder / rede["dir"] / "module.json").read_text())
    assert described["architecture"] == {"class": "LeNet5", "init": {"args": [], "kwargs": {"num_classes": 10}}}
    assert described["input_shape"] == [3, 1, 28, 28]
    seq = json.loads((taken.folder / _entry(taken, "seq")["dir"] / "module.json").read_text())
    assert [c["torch"] for c in seq["architecture"]["children"]] == [
        "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout", "Linear"]


def test_the_judge_reads_forward_functions_and_the_file_counts_parameters(taken):
    definitions = {"__name__": "__main__"}
    exec(DEFINITIONS, definitions)
    directory = taken.folder / _entry(taken, "rede")["dir"]
    model, answer = judge_side.load(str(directory), definitions, PROTOCOL)
    classes = [(layer["class"], layer.get("activation"), layer.get("functional", False)) for layer in answer["layers"]]
    assert classes == [
        ("Conv2d", None, False), ("ReLU", "relu", True), ("MaxPool2d", None, True),
        ("Conv2d", None, False), ("Tanh", "tanh", True), ("MaxPool2d", None, True), ("Flatten", None, True),
        ("Linear", None, False), ("BatchNorm1d", None, False), ("ReLU", "relu", True),
        ("Linear", None, False), ("ReLU", "relu", True), ("Linear", None, False)]
    assert answer["input_shape"] == [None, 1, 28, 28] and answer["output_shape"] == [None, 10]
    total, trainable, buffers = _counts(answer, tensor_sizes(directory / "model.safetensors"))
    assert (total, trainable) == (61706 + 240, 61706 + 240) and buffers == 120 + 120 + 1  # BatchNorm: 2×120 + 1
    assert _uses_notebook_classes(directory)
    layers = [torch_layer(layer) for layer in answer["layers"] if layer["class"] != "BatchNorm1d"]
    assert compare_layers(normalize_layers(lenet_layers()), normalize_layers(layers), EQUIVALENT).fraction == 1.0
    scores = judge_side.predict(model, torch.zeros(5, 1, 28, 28).numpy(), 2)
    assert scores.shape == (5, 10)


def test_an_nn_sequential_is_built_from_torch_classes_only(taken):
    directory = taken.folder / _entry(taken, "seq")["dir"]
    model, answer = judge_side.load(str(directory), {}, PROTOCOL)  # no notebook definitions needed
    assert [layer["class"] for layer in answer["layers"]] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Dropout",
                                                              "Linear"]
    assert not _uses_notebook_classes(directory)
    assert _counts(answer, tensor_sizes(directory / "model.safetensors")) == (4 * 10 + 4 * 169 * 10 + 10, 6810, 0)
    dropout = torch_layer(answer["layers"][4])
    assert dropout.rate == pytest.approx(0.3) and dropout.kind == "dropout"


def test_the_judge_refuses_a_class_the_notebook_does_not_define(taken):
    directory = taken.folder / _entry(taken, "rede")["dir"]
    with pytest.raises(ValueError, match="no module class"):
        judge_side.load(str(directory), {}, PROTOCOL)
