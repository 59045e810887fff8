"""``torch_unit``: one unit of a PyTorch training system, judged outside the kernel.

The judge process (started after the student's kernel is gone, with only the notebook's
definitions) runs the grader's unit named by ``unit`` on grader-made inputs and answers
measurements (:mod:`grader.inspect.torch.units_judge`); they are stored as
``NotebookFacts.units[check id]``. Here they are compared with what the spec states
(ratios, bounds, patience) or with the reference's measurements (the model): the check
earns the share of its items that hold, and its message names the first that does not.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.facts import NotebookFacts
from grader.spec import CheckSpec

Item = tuple[str, bool, dict[str, Any]]  # (name, holds, message parameters)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _list(value: Any, limit: int = 200) -> list:
    return list(value[:limit]) if isinstance(value, list) else []


def _variant_label(kwargs: Any) -> str:
    if not isinstance(kwargs, dict) or not kwargs:
        return "()"
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


# parameter-free operations a forward() may apply as functions instead (F.relu, F.max_pool2d, x.view):
# left out of the compared structure, which the parameters and the output shape also pin down
FUNCTIONAL = ("ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Tanh", "Sigmoid", "MaxPool", "AvgPool", "Flatten",
              "Unflatten", "Softmax", "LogSoftmax")


def _structure(variant: dict) -> list[str]:
    return [str(layer) for layer in _list(variant.get("layers")) if not str(layer).startswith(FUNCTIONAL)]


def _model(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    if not want:
        raise LookupError("reference")
    items: list[Item] = []
    for kwargs, mine, theirs in zip(check.param("variants", [{}]), _list(got.get("variants")),
                                    _list(want.get("variants"))):
        label = {"variant": _variant_label(kwargs)}
        if not isinstance(mine, dict) or "error" in mine or not isinstance(theirs, dict):
            error = str(mine.get("error", "?"))[:300] if isinstance(mine, dict) else "?"
            items += [(name, False, {**label, "error": error}) for name in ("built", "structure", "shape")]
            continue
        layers, expected = _structure(mine), _structure(theirs)
        first = next((n for n, (a, b) in enumerate(zip(layers, expected)) if a != b), min(len(layers), len(expected)))
        items.append(("params", mine.get("params") == theirs.get("params"),
                      {**label, "expected": theirs.get("params"), "actual": mine.get("params")}))
        items.append(("structure", layers == expected,
                      {**label, "position": first + 1, "expected": (expected + ["—"])[first][:200],
                       "actual": (layers + ["—"])[first][:200]}))
        items.append(("shape", mine.get("output_shape") == theirs.get("output_shape"),
                      {**label, "expected": theirs.get("output_shape"), "actual": mine.get("output_shape")}))
    return items


def _imbalance(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    reduced = [int(c) for c in check.param("classes", [0, 1, 2])]
    ratio, tolerance = float(check.param("ratio", 0.1)), float(check.param("tolerance", 0.04))
    kept, total = _list(got.get("kept")), _list(got.get("total"))
    fractions = {c: kept[c] / total[c] for c in reduced if c < min(len(kept), len(total)) and total[c]}
    wrong = [c for c in reduced if c not in fractions or abs(fractions[c] - ratio) > tolerance]
    others = [c for c in range(min(len(kept), len(total))) if c not in reduced and kept[c] != total[c]]
    shown = ", ".join(f"{c}: {fractions.get(c, 0):.1%}" for c in reduced)
    return [
        ("reduced", bool(kept) and not wrong, {"ratio": f"{ratio:.0%}", "actual": shown}),
        ("others", bool(kept) and not others, {"classes": ", ".join(map(str, others))}),
        ("valid", got.get("unique") is True and got.get("in_range") is True, {}),
        ("counts", got.get("counts") == kept, {"expected": kept, "actual": got.get("counts")}),
    ]


def _sampler(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    tolerance = float(check.param("tolerance", 0.03))
    frequencies = [_num(f) for f in _list(got.get("frequencies"))]
    uniform = 1 / len(frequencies) if frequencies else 0
    error = _num(got.get("max_rel_error"))
    return [
        ("weights", got.get("length") == got.get("samples") and error is not None and error <= 1e-5,
         {"length": got.get("length"), "samples": got.get("samples")}),
        ("replacement", got.get("replacement") is True, {}),
        ("balanced", bool(frequencies) and all(f is not None and abs(f - uniform) <= tolerance for f in frequencies),
         {"actual": ", ".join(f"{f:.1%}" if f is not None else "?" for f in frequencies), "uniform": f"{uniform:.0%}"}),
    ]


def _config(check: CheckSpec, key: str, default: float) -> float:
    config = check.param("config", {})
    return float(config.get(key, default)) if isinstance(config, dict) else default


def _accumulation(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    batches, steps = int(check.param("batches", 5)), int(check.param("steps", 2))
    differences = [_num(d) for d in _list(got.get("differences"))]
    return [
        ("steps", got.get("steps") == math.ceil(batches / steps),
         {"batches": batches, "expected": math.ceil(batches / steps), "actual": got.get("steps")}),
        ("gradients", len(differences) == batches // steps and all(d is not None and d <= 1e-4 for d in differences),
         {"steps": steps}),
    ]


def _clipping(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    bound = _config(check, "grad_clip", 1.0)
    norms = [_num(n) for n in _list(got.get("norms"))]
    unclipped = [_num(n) for n in _list(got.get("unclipped"))]
    bounded = bool(norms) and all(n is not None and n <= bound * (1 + 1e-3) for n in norms)
    large = [(n, u) for n, u in zip(norms, unclipped) if u is not None and u > bound]
    to_norm = bool(large) and all(n is not None and abs(n - bound) <= 1e-2 * bound for n, _ in large)
    return [
        ("bounded", bounded, {"bound": bound, "actual": ", ".join(f"{n:.3g}" if n is not None else "?" for n in norms[:8])}),
        ("to_norm", to_norm, {"bound": bound}),
    ]


def early_stop(losses: list[float], patience: int, min_delta: float, epochs: int) -> tuple[int, int]:
    """``(epochs run, best epoch)`` of early stopping on validation ``losses`` (epochs from 1)."""
    best, best_epoch, waited = math.inf, 0, 0
    for epoch in range(1, epochs + 1):
        loss = losses[min(epoch, len(losses)) - 1]
        if loss < best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return epochs, best_epoch


def _early_stopping(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    losses = [float(v) for v in check.param("losses", [])]
    stop, best = early_stop(losses, int(_config(check, "patience", 10)), _config(check, "min_delta", 0.0),
                            int(_config(check, "epochs", len(losses))))
    return [
        ("stops", got.get("epochs") == stop, {"expected": stop, "best": best, "actual": got.get("epochs")}),
        ("restores", _num(got.get("weights")) == float(best),
         {"best": best, "actual": got.get("weights") if _num(got.get("weights")) is not None else "?"}),
    ]


def _checkpoint(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    difference = _num(got.get("max_difference"))
    return [("same_outputs", difference is not None and difference <= 1e-6,
             {"actual": f"{difference:.3g}" if difference is not None else "?"})]


def _short_run(got: dict, want: dict | None, check: CheckSpec) -> list[Item]:
    lr, decay = _config(check, "learning_rate", 0.001), _config(check, "weight_decay", 0.0)
    actual_lr, actual_decay = _num(got.get("lr")), _num(got.get("weight_decay"))
    before, after = _num(got.get("before")), _num(got.get("after"))
    return [
        ("optimizer", got.get("optimizer") == "Adam" and actual_lr is not None and math.isclose(actual_lr, lr)
         and actual_decay is not None and math.isclose(actual_decay, decay),
         {"expected": f"Adam(lr={lr:g}, weight_decay={decay:g})",
          "actual": f"{str(got.get('optimizer'))[:60]}(lr={actual_lr}, weight_decay={actual_decay})"}),
        ("lowers", before is not None and after is not None and after < before,
         {"before": f"{before:.4f}" if before is not None else "?", "after": f"{after:.4f}" if after is not None else "?"}),
    ]


UNITS: dict[str, Callable[[dict, dict | None, CheckSpec], list[Item]]] = {
    "model": _model, "imbalance": _imbalance, "sampler": _sampler, "accumulation": _accumulation,
    "clipping": _clipping, "early_stopping": _early_stopping, "checkpoint": _checkpoint, "short_run": _short_run,
}
# the name the student's notebook must define, per unit
DEFINES = {"model": ("class", "AdvancedCNN"), "imbalance": ("function", "create_imbalanced_cifar10"),
           "sampler": ("function", "criar_sampler_balanceado")}


def _name(check: CheckSpec) -> str:
    kind, default = DEFINES.get(check.param("unit"), ("class", "TrainingSystem"))
    return str(check.param(kind, default))


@check_kind(
    "torch_unit",
    required=("unit",),
    optional=("class", "function", "variants", "input_shape", "batch", "per_class", "classes", "ratio", "seed",
              "config", "batches", "steps", "scale", "losses", "samples", "tolerance"),
    models=False, evaluation=False, judged="torch",
)
def check_torch_unit(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """The share of the unit's items that hold, measured by the judge on the student's definitions."""
    unit = str(check.param("unit"))
    judge = UNITS.get(unit)
    if judge is None:
        return Outcome("error", 0.0, "torch_unit.unknown", params={"unit": unit})
    got = student.units.get(check.id) if isinstance(student.units, dict) else None
    name = {"name": _name(check)}
    if not isinstance(got, dict):
        return Outcome("error", 0.0, "torch_unit.not_judged", params=name)
    if got.get("unavailable"):
        return Outcome("error", 0.0, "torch_unit.unavailable", params=name)
    if got.get("missing"):
        return failed("torch_unit.missing", params={"name": str(got["missing"])[:100]})
    if got.get("returned"):
        return failed("torch_unit.wrong_return", params={**name, "returned": str(got["returned"])[:100],
                                                         "expected": str(got.get("expected", "?"))[:100]})
    if got.get("ok") is not True or not isinstance(got.get("result"), dict):
        return failed("torch_unit.raised", params={**name, "error": str(got.get("error", "?"))[:300]})
    mine = reference.units.get(check.id) if isinstance(reference.units, dict) else None
    want = mine.get("result") if isinstance(mine, dict) and mine.get("ok") is True else None
    try:
        items = judge(got["result"], want, check)
    except LookupError:
        return Outcome("error", 0.0, "torch_unit.reference_missing", params=name)
    details = {"items": [{"item": n, "holds": ok, **p} for n, ok, p in items]}
    if not items:
        return failed(f"torch_unit.{unit}.failed", params=name, details=details)
    held = sum(ok for _, ok, _ in items)
    if held == len(items):
        shown = {k: v for _, _, p in items for k, v in _plain(p).items()}
        return passed(f"torch_unit.{unit}.passed", params={**shown, **name, "total": len(items)}, details=details)
    first, _, params = next(item for item in items if not item[1])
    return partial(held / len(items), f"torch_unit.{unit}.{first}",
                   params={**name, **_plain(params), "ok": held, "total": len(items)}, details=details)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Message parameters: numbers and text as they are, anything else as text."""
    return {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in params.items()}
