"""``torch_unit``: the judge's measurements against the spec and the reference (hand-made facts, no torch)."""

from __future__ import annotations

import pytest

from grader.checks.torch_unit import UNITS, check_torch_unit, early_stop
from grader.facts import NotebookFacts
from grader.spec import CheckSpec

CONFIG = {"learning_rate": 0.001, "weight_decay": 1e-4, "grad_clip": 1.0, "patience": 3, "min_delta": 0.001,
          "epochs": 12, "accumulation_steps": 2}
LOSSES = [1.0, 0.8, 0.6, 0.5995, 0.61, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
VARIANTS = [{"use_batch_norm": True}, {"use_batch_norm": False}]
LAYERS = ["Conv2d(in_channels=3, out_channels=32)", "BatchNorm2d(num_features=32)", "ReLU()", "MaxPool2d(kernel_size=2)",
          "Linear(in_features=2048, out_features=10)"]
PLAIN = ["Conv2d(in_channels=3, out_channels=32)", "Identity()", "ReLU()", "MaxPool2d(kernel_size=2)",
         "Linear(in_features=2048, out_features=10)"]
MODEL = {"variants": [{"params": 1278218, "layers": LAYERS, "output_shape": [4, 10]},
                      {"params": 1276022, "layers": PLAIN, "output_shape": [4, 10]}]}

CORRECT = {
    "model": MODEL,
    "imbalance": {"kept": [100, 98, 103] + [1000] * 7, "total": [1000] * 10, "unique": True, "in_range": True,
                  "counts": [100, 98, 103] + [1000] * 7},
    "sampler": {"length": 3650, "samples": 3650, "replacement": True, "max_rel_error": 0.0,
                "frequencies": [0.099, 0.093, 0.105, 0.104, 0.098, 0.108, 0.104, 0.099, 0.091, 0.099]},
    "accumulation": {"steps": 3, "differences": [0.0, 2e-7]},
    "clipping": {"steps": 2, "norms": [1.0000001, 0.9999999], "unclipped": [162.9, 154.9]},
    "early_stopping": {"epochs": 6, "weights": 3.0},
    "checkpoint": {"written": True, "max_difference": 0.0},
    "short_run": {"optimizer": "Adam", "lr": 0.001, "weight_decay": 0.0001, "before": 2.25, "after": 1.79},
}
PARAMS = {"model": {"variants": VARIANTS}, "imbalance": {"classes": [0, 1, 2], "ratio": 0.1},
          "accumulation": {"batches": 5, "steps": 2}, "early_stopping": {"losses": LOSSES}}


def spec(unit: str, **params) -> CheckSpec:
    return CheckSpec(id=f"u-{unit}", section="parte-1", kind="torch_unit", points=2,
                     params={"unit": unit, "config": CONFIG, **PARAMS.get(unit, {}), **params})


def facts(unit: str, answer) -> NotebookFacts:
    return NotebookFacts(sha256="x", units={f"u-{unit}": answer})


def grade(unit: str, result: dict, reference: dict | None = None, **params):
    reference = {"ok": True, "result": reference if reference is not None else CORRECT[unit]}
    return check_torch_unit(facts(unit, {"ok": True, "result": result}), facts(unit, reference), spec(unit, **params))


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_the_reference_measurements_pass(unit, render):
    outcome = grade(unit, CORRECT[unit])
    assert outcome.status == "passed", outcome
    assert render(outcome) and render(outcome, "en")


# one wrong measurement per unit: (unit, change, failing item, fraction)
BROKEN = [
    ("model", {"variants": [{**MODEL["variants"][0], "params": 1409290}, MODEL["variants"][1]]}, "params", 5 / 6),
    ("model", {"variants": [MODEL["variants"][0], {**MODEL["variants"][1], "layers": LAYERS}]}, "structure", 5 / 6),
    ("model", {"variants": [{**MODEL["variants"][0], "output_shape": [4, 3, 32, 32]}, MODEL["variants"][1]]}, "shape", 5 / 6),
    ("imbalance", {"kept": [500, 98, 103] + [1000] * 7, "counts": [500, 98, 103] + [1000] * 7}, "reduced", 3 / 4),
    ("imbalance", {"kept": [100, 98, 103] + [900] * 7, "counts": [100, 98, 103] + [900] * 7}, "others", 3 / 4),
    ("imbalance", {"unique": False}, "valid", 3 / 4),
    ("imbalance", {"counts": [1000] * 10}, "counts", 3 / 4),
    ("sampler", {"length": 10, "max_rel_error": None, "frequencies": [0.3, 0.7] + [0.0] * 8}, "weights", 1 / 3),
    ("sampler", {"replacement": False}, "replacement", 2 / 3),
    ("accumulation", {"steps": 5, "differences": [0.5, 0.5]}, "steps", 0.0),
    ("accumulation", {"differences": [0.0, 0.3]}, "gradients", 0.5),
    ("clipping", {"norms": [1.5, 1.2]}, "bounded", 0.0),
    ("clipping", {"norms": [0.5, 0.5]}, "to_norm", 0.5),
    ("early_stopping", {"epochs": 12, "weights": 12.0}, "stops", 0.0),
    ("early_stopping", {"weights": 6.0}, "restores", 0.5),
    ("early_stopping", {"weights": None}, "restores", 0.5),
    ("checkpoint", {"max_difference": 0.97}, "same_outputs", 0.0),
    ("short_run", {"optimizer": "SGD"}, "optimizer", 0.5),
    ("short_run", {"weight_decay": 0.0}, "optimizer", 0.5),
    ("short_run", {"after": 2.25}, "lowers", 0.5),
]


@pytest.mark.parametrize("unit, change, item, fraction", BROKEN, ids=[f"{b[0]}-{b[2]}-{n}" for n, b in enumerate(BROKEN)])
def test_a_wrong_measurement_fails_its_item_with_its_message(unit, change, item, fraction, render):
    outcome = grade(unit, {**CORRECT[unit], **change})
    assert outcome.fraction == pytest.approx(fraction)
    assert outcome.status == ("failed" if fraction == 0 else "partial")
    assert outcome.message == f"torch_unit.{unit}.{item}"
    assert render(outcome) and render(outcome, "en")
    assert any(i["item"] == item and i["holds"] is False for i in outcome.details["items"])


def test_the_model_structure_ignores_activations_written_as_functions():
    functional = {"variants": [{**v, "layers": [l for l in v["layers"] if not l.startswith(("ReLU", "MaxPool"))]}
                               for v in MODEL["variants"]]}
    assert grade("model", functional).status == "passed"


def test_the_structure_message_names_the_first_differing_layer(render):
    wrong = ["Conv2d(in_channels=3, out_channels=32)", "BatchNorm2d(num_features=32)",
             "Linear(in_features=2048, out_features=128)"]
    outcome = grade("model", {"variants": [{**MODEL["variants"][0], "layers": wrong}, MODEL["variants"][1]]})
    assert "a 3ª camada" in render(outcome) and "out_features=128" in render(outcome)


def test_an_exact_ten_percent_and_a_random_one_both_pass_but_not_a_quarter():
    assert grade("imbalance", {**CORRECT["imbalance"], "kept": [100] * 3 + [1000] * 7,
                               "counts": [100] * 3 + [1000] * 7}).status == "passed"
    assert grade("imbalance", {**CORRECT["imbalance"], "kept": [250] * 3 + [1000] * 7,
                               "counts": [250] * 3 + [1000] * 7}).status == "partial"


@pytest.mark.parametrize("answer, status, message", [
    ({"ok": False, "missing": "TrainingSystem"}, "failed", "torch_unit.missing"),
    ({"ok": False, "error": "KeyError: 'grad_clip'"}, "failed", "torch_unit.raised"),
    ({"ok": False, "returned": "NoneType", "expected": "Subset"}, "failed", "torch_unit.wrong_return"),
    ({"ok": False, "unavailable": "torch"}, "error", "torch_unit.unavailable"),
    ({"ok": True, "result": "not a dict"}, "failed", "torch_unit.raised"),
])
def test_a_unit_that_could_not_measure(answer, status, message, render):
    outcome = check_torch_unit(facts("checkpoint", answer), facts("checkpoint", {"ok": True, "result": {}}),
                               spec("checkpoint"))
    assert (outcome.status, outcome.message) == (status, message)
    render(outcome)


def test_no_judged_facts_is_an_error_not_a_zero():
    outcome = check_torch_unit(NotebookFacts(sha256="x"), NotebookFacts(sha256="r"), spec("checkpoint"))
    assert outcome.status == "error" and outcome.message == "torch_unit.not_judged"


def test_the_model_needs_the_reference_measurements():
    outcome = check_torch_unit(facts("model", {"ok": True, "result": MODEL}),
                               facts("model", {"ok": False, "error": "boom"}), spec("model"))
    assert outcome.status == "error" and outcome.message == "torch_unit.reference_missing"


def test_hostile_measurements_are_a_failure_not_a_crash():
    for unit in UNITS:
        for junk in ({}, {"variants": "x", "kept": 3, "frequencies": [None, "a"], "norms": ["x"], "epochs": "6",
                          "weights": "3", "max_difference": float("nan"), "before": True, "differences": [[1]]}):
            outcome = grade(unit, junk)
            assert outcome.status in ("failed", "partial"), (unit, junk)


@pytest.mark.parametrize("losses, patience, min_delta, expected", [
    (LOSSES, 3, 0.001, (6, 3)),
    (LOSSES, 3, 0.0, (12, 12)),  # 0.5995 counts as a better epoch without min_delta
    ([1.0] * 5, 2, 0.0, (3, 1)),
    ([3.0, 2.0, 1.0], 5, 0.0, (3, 3)),  # never stops early: every epoch runs
])
def test_early_stop(losses, patience, min_delta, expected):
    assert early_stop(losses, patience, min_delta, len(losses)) == expected


def test_the_kind_is_judged_by_torch_and_reads_no_model():
    from grader.checks.base import default_registry

    kind = default_registry().get("torch_unit")
    needs = kind.needs({"unit": "model"})
    assert needs.judged == "torch" and not needs.models and not needs.evaluation
