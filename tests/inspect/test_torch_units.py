"""The judge's units of a PyTorch training system, on the reference's definitions and broken copies of them.

The units run here in-process on the definitions the judge would load (no kernel), then once
through a real judge process. A few seconds: tiny models, no CIFAR-10.
"""

from __future__ import annotations

import ast
import dataclasses
import contextlib
import io
import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("safetensors")

import nbformat  # noqa: E402

from grader.assignments import load  # noqa: E402
from grader.definitions import definitions_source  # noqa: E402
from grader.execute.sandbox import Sandbox  # noqa: E402
from grader.inspect import judge_units  # noqa: E402
from grader.inspect.base import judge_files  # noqa: E402
from grader.inspect.judge import MAX_UNIT_BYTES, Judge, JudgeSetup  # noqa: E402
from grader.inspect.torch import units_judge  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, _ = load("pytorch-treinamento")
CHECKS = {c.params["unit"]: c for c in ASSIGNMENT.checks}
NOTEBOOK = nbformat.read(ROOT / "reference" / "pytorch-treinamento.ipynb", 4)
CELLS = [c.source for c in NOTEBOOK.cells if c.cell_type == "code"]
SOURCE = definitions_source(CELLS)


def changed(old: str, new: str) -> str:
    """The reference's definitions with ``old`` replaced in its cells (it must be there)."""
    assert any(old in cell for cell in CELLS), old
    return definitions_source([cell.replace(old, new) for cell in CELLS])


def define(source: str) -> dict:
    """The definitions as the judge runs them: statement by statement, a failing one skipped (torchvision)."""
    namespace = {"__name__": "__main__"}
    for node in ast.parse(source).body:
        with contextlib.suppress(ImportError):
            exec(compile(ast.Module(body=[node], type_ignores=[]), "<definitions>", "exec"), namespace)
    return namespace


def measure(unit: str, source: str = SOURCE) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        return units_judge.run(unit, dict(CHECKS[unit].params), define(source))


@pytest.fixture(scope="module")
def reference() -> dict:
    return {unit: measure(unit) for unit in CHECKS}


def test_the_reference_model_has_the_issue_s_parameters_and_identity_without_batchnorm(reference):
    with_bn, without = reference["model"]["result"]["variants"]
    assert with_bn["params"] == 1_278_218 and with_bn["output_shape"] == [4, 10]
    assert with_bn["batchnorm"] == 5 and with_bn["identity"] == 0
    assert without["batchnorm"] == 0 and without["identity"] == 5 and without["output_shape"] == [4, 10]
    assert without["params"] == 1_278_218 - 2 * (32 + 64 + 128 + 512 + 256)


def test_the_reference_measures_what_the_spec_asks(reference):
    assert reference["imbalance"]["result"]["kept"] == [100, 100, 100] + [1000] * 7
    sampler = reference["sampler"]["result"]
    assert sampler["max_rel_error"] == 0.0 and sampler["replacement"] is True
    assert max(abs(f - 0.1) for f in sampler["frequencies"]) < 0.02
    assert reference["accumulation"]["result"]["steps"] == 3
    assert max(reference["accumulation"]["result"]["differences"]) < 1e-6
    clipping = reference["clipping"]["result"]
    assert all(u > 100 for u in clipping["unclipped"]) and all(abs(n - 1) < 1e-5 for n in clipping["norms"])
    assert reference["early_stopping"]["result"] == {"epochs": 6, "validations": 6, "weights": 3.0}
    assert reference["checkpoint"]["result"] == {"written": True, "max_difference": 0.0}
    short = reference["short_run"]["result"]
    assert short["optimizer"] == "Adam" and short["after"] < short["before"]


def test_units_are_repeatable(reference):
    assert measure("sampler") == reference["sampler"] and measure("short_run") == reference["short_run"]


def test_accumulation_that_steps_every_batch_is_seen():
    every = changed("            if batches % steps == 0:\n                self._step()", "            self._step()")
    result = measure("accumulation", every)["result"]
    assert result["steps"] == 6 and min(result["differences"]) > 0.1  # 5 steps and the remainder's


def test_clipping_by_value_is_not_clipping_the_norm():
    by_value = changed("nn.utils.clip_grad_norm_", "nn.utils.clip_grad_value_")
    assert all(n > 1.01 for n in measure("clipping", by_value)["result"]["norms"])


def test_a_best_state_kept_without_copying_is_never_restored():
    alias = changed("copy.deepcopy(self.model.state_dict())", "self.model.state_dict()")
    assert measure("early_stopping", alias)["result"]["weights"] == 6.0


def test_a_checkpoint_without_the_buffers_differs():
    params_only = changed('torch.save({"model_state": self.model.state_dict()',
                          'torch.save({"model_state": dict(self.model.named_parameters())').replace(
        "self.model.load_state_dict(checkpoint['model_state'])",
        "self.model.load_state_dict(checkpoint['model_state'], strict=False)")
    assert "strict=False" in params_only
    assert measure("checkpoint", params_only)["result"]["max_difference"] > 1e-3


def test_what_the_notebook_does_not_define_or_returns_wrong_is_named():
    assert measure("model", changed("class AdvancedCNN", "class MinhaCNN")) == {
        "ok": False, "missing": "AdvancedCNN"}
    stub = changed("    return WeightedRandomSampler(", "    return None\n    WeightedRandomSampler(")
    assert measure("sampler", stub) == {"ok": False, "returned": "NoneType", "expected": "WeightedRandomSampler"}
    broken = changed('self.config["grad_clip"]', 'self.config["clip"]')
    assert measure("clipping", broken) == {"ok": False, "error": "KeyError: 'clip'"}


def test_a_real_judge_process_answers_units_and_bounds_them(tmp_path):
    setup = JudgeSetup(tmp_path / "judge", Sandbox(), ASSIGNMENT.execution, SOURCE, judge_files=judge_files())
    two = dataclasses.replace(ASSIGNMENT, checks=(CHECKS["checkpoint"], CHECKS["early_stopping"]))
    with Judge(setup) as judge:
        units = judge_units(two, judge)
        assert units["p3-checkpoint"] == {"ok": True, "result": {"written": True, "max_difference": 0.0}}
        assert units["p3-early-stopping"]["result"]["weights"] == 3.0
        assert all(len(json.dumps(u)) < MAX_UNIT_BYTES for u in units.values())
        assert judge.unit("torch", "no_such_unit", {}) == {"ok": False, "error": "unknown unit 'no_such_unit'"}


HOSTILE = '''
import torch.nn as nn


class Leak(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.in_features = text  # a unit describes a layer by attributes like this one

    def forward(self, x):
        return x


class AdvancedCNN(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        try:
            text = open(CANARY_PATH, encoding="utf-8").read()
        except OSError as exc:
            text = "not readable: " + type(exc).__name__
        self.leak = Leak(text)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))

    def forward(self, x):
        return self.head(self.leak(x))
'''


def test_a_judged_unit_cannot_carry_the_reference_out_of_the_sandbox(tmp_path):
    """The judge runs the notebook's classes in the kernel's sandbox: the reference's folder is not there."""
    from grader.execute.sandbox import resolve_sandbox

    sandbox = resolve_sandbox("auto")
    if not sandbox.bubblewrap:
        pytest.skip("no bubblewrap here: the judge is not confined")
    canary = tmp_path / "reference" / "pytorch-treinamento.ipynb"
    canary.parent.mkdir()
    canary.write_text("CANARY-7f3a9 the reference's code", encoding="utf-8")
    source = f"CANARY_PATH = {str(canary)!r}\n" + HOSTILE
    setup = JudgeSetup(tmp_path / "judge", sandbox, ASSIGNMENT.execution, source, judge_files=judge_files())
    with Judge(setup) as judge:
        answer = judge.unit("torch", "model", dict(CHECKS["model"].params))
    assert answer["ok"] is True
    layers = answer["result"]["variants"][0]["layers"]
    assert layers[0] == "Leak(in_features=not readable: FileNotFoundError)", layers
    assert "CANARY" not in json.dumps(answer)
