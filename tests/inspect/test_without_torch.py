"""Without the torch extra, every Keras assignment works: torch is hidden in a fresh process.

The process imports the whole grader (every verb), grades a Keras model's harvest entry
through the inspector registry, and is told plainly that a PyTorch module cannot be read
here; PyTorch's kernel code is not sent to kernels. No kernel is started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# a meta-path finder in front of every other: ``import torch`` (and safetensors) fails as if not installed
HIDE = '''
import sys
class _Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "safetensors", "torchvision"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Hidden())
'''

SCRIPT = HIDE + '''
import importlib, json, pkgutil, sys
from pathlib import Path
import grader
for module in pkgutil.walk_packages(grader.__path__, "grader."):
    if not module.name.endswith(("kernel_side", "judge_side", "kernel_compat")):  # kernel and judge code
        importlib.import_module(module.name)

import keras
from grader.inspect import _inspect_model
from grader.inspect.base import harvest_code, inspector_for

folder = Path(sys.argv[1])
model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
(folder / "model1").mkdir()
(folder / "model1" / "model.json").write_text(json.dumps(keras.saving.serialize_keras_object(model)))
model.save_weights(str(folder / "model1" / "model.weights.h5"))
keras_facts = _inspect_model({"dir": "model1", "names": ["m"], "order": 1, "api": "sequential"}, "s",
                             folder / "model1", (), {}, 10**6)
torch_facts = _inspect_model({"dir": "model2", "names": ["net"], "order": 2, "framework": "torch"}, "s",
                             folder / "model2", (), {}, 10**6)
print(json.dumps({"torch_imported": "torch" in sys.modules, "harvest_code": [c.framework for c in harvest_code()],
                  "torch_available": inspector_for("torch").available(),
                  "keras": [keras_facts.loaded, keras_facts.total_params, keras_facts.framework],
                  "torch": [torch_facts.loaded, torch_facts.load_error]}))
'''


def test_keras_models_are_graded_and_torch_modules_explained_without_torch(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["torch_imported"] is False and found["torch_available"] is False
    assert found["harvest_code"] == ["keras"]  # no torch kernel code without torch
    assert found["keras"] == [True, 7850, "keras"]
    assert found["torch"][0] is False and "torch" in found["torch"][1] and "extra" in found["torch"][1]


LIST = HIDE + '''
from grader.cli import main
main(["assignments"])
'''


def test_grader_assignments_says_what_enables_the_pytorch_assignment(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", LIST], capture_output=True, text=True, env=env, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("pytorch-treinamento: "))
    assert lines[at + 1] == "  indisponível aqui: precisa do extra torch do corretor (pip install -e '.[torch]')"
    assert not any("indisponível" in line for line in lines[:at] + lines[at + 2:])  # the Keras ones are available
