"""The PyTorch inspector: ``torch.nn.Module`` instances, judged in the judge process.

The kernel's harvest (``kernel_side.py``) exports each module's ``state_dict`` as
safetensors and how to build it again; the judge (``judge_side.py``) builds it with the
notebook's class or PyTorch's own modules, loads the tensors and describes one forward
pass. Here the description is checked against the tensor file the grader reads itself
(parameters are counted from it; a BatchNorm's running statistics are buffers, not
parameters) and put in the neutral vocabulary; accuracy is measured on the judge's
outputs with the grader's test images in NCHW. The grader's process never imports torch
for this and never unpickles anything a kernel wrote.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from grader.facts import ModelFacts
from grader.inspect.base import InspectContext, Inspector, register_inspector
from grader.inspect.evaluate import evaluate_model
from grader.inspect.judge import JudgeFailed, bounded
from grader.inspect.torch.layers import channels_last, torch_layer
from grader.inspect.torch.tensors import tensor_sizes

HERE = Path(__file__).resolve().parent
MISSING_WEIGHTS = "the module was exported without its weights (it has more parameters than the grader exports)"


def torch_available() -> bool:
    """PyTorch and safetensors can be imported (the ``torch`` extra is installed); neither is imported."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("torch", "safetensors"))
    except (ImportError, ValueError):  # a broken or hidden installation
        return False


def _base(entry: dict, section: str, directory: Path, created_cell: int | None) -> dict:
    return dict(key=f"{section}/{entry.get('dir', '?')}", section=section, order=int(entry.get("order", 0)),
                names=tuple(str(n) for n in entry.get("names", [])), api=str(entry.get("api", "subclass")),
                framework="torch", artifact_dir=str(directory), created_cell=created_cell)


def _uses_notebook_classes(directory: Path) -> bool:
    """True unless the module is made of PyTorch's own modules only (an ``nn.Sequential`` of them)."""
    try:
        architecture = json.loads((directory / "module.json").read_text(encoding="utf-8")).get("architecture")
    except (OSError, ValueError, AttributeError, RecursionError):
        return True
    stack, budget = [architecture], 10_000
    while stack and budget:
        budget -= 1
        node = stack.pop()
        if not isinstance(node, dict) or "torch" not in node:
            return True
        stack += node.get("children") or []
    return bool(stack)


def _counts(answer: dict, sizes: dict[str, int]) -> tuple[int, int, int]:
    """``(parameters, trainable, buffers)`` from the tensor file, as the judge's names split them;
    ValueError when the judge's description does not match the file."""
    total = trainable = 0
    named: set[str] = set()
    for item in answer.get("parameters", []):
        name, count, learns = item if isinstance(item, list) and len(item) == 3 else (None, None, None)
        if not isinstance(name, str) or sizes.get(name) != count:
            raise ValueError("the judge's parameters do not match the exported tensors")
        named.add(name)
        total += count
        trainable += count if learns is True else 0
    buffers = {n for n, _ in (b for b in answer.get("buffers", []) if isinstance(b, list) and len(b) == 2)}
    if set(sizes) - named - buffers:
        raise ValueError("the exported tensors hold values the judge's module does not")
    return total, trainable, sum(size for name, size in sizes.items() if name not in named)


def inspect_torch(entry: dict, section: str, directory: Path, context: InspectContext,
                  created_cell: int | None = None) -> ModelFacts:
    """One exported PyTorch module, built again by the judge and checked against its tensor file."""
    base = _base(entry, section, directory, created_cell)
    not_plain = tuple(str(a)[:100] for a in (entry.get("constructor_not_plain") or [])[:20])
    if entry.get("error"):
        return ModelFacts(**base, load_error=str(entry["error"]))
    if not_plain:  # created with arguments the judge cannot repeat: a teacher looks
        return ModelFacts(**base, constructor_arguments=not_plain,
                          load_error=f"created with arguments that are not plain values: {', '.join(not_plain)}")
    weights = directory / "model.safetensors"
    if not weights.is_file() or not (directory / "module.json").is_file():
        return ModelFacts(**base, load_error=MISSING_WEIGHTS)
    if context.judge is None:
        return ModelFacts(**base, load_error="PyTorch modules are judged in the judge process, which is not running")
    try:
        sizes = tensor_sizes(weights)
    except (OSError, ValueError) as exc:
        return ModelFacts(**base, load_error=f"cannot read the exported tensors: {exc}")
    try:
        key, answer = context.judge.load(directory, "torch")
    except (JudgeFailed, ValueError) as exc:
        return ModelFacts(**base, load_error=bounded(exc))
    try:
        total, trainable, buffers = _counts(answer, sizes)
    except ValueError as exc:
        context.judge.distrust(str(exc))
        return ModelFacts(**base, load_error=str(exc))
    try:
        layers = tuple(torch_layer(layer) for layer in answer.get("layers", [])[:500] if isinstance(layer, dict))
        shape = answer.get("input_shape")
        input_shape = tuple(None if d is None else int(d) for d in shape) if isinstance(shape, list) else None
    except (TypeError, ValueError) as exc:
        return ModelFacts(**base, load_error=f"the judge's description is malformed: {exc}")
    results = evaluate_model(lambda x: context.judge.predict(key, x), context.evaluations, context.splits,
                             input_shape)
    return ModelFacts(
        **{**base, "reconstructed": True}, has_weights=True, total_params=total, trainable_params=trainable,
        non_trainable_params=total - trainable, buffers=buffers, input_shape=input_shape,
        output_shape=channels_last(answer.get("output_shape")), layers=layers, evaluations=results,
        judged_with_student_code=_uses_notebook_classes(directory),
    )


TORCH = register_inspector(Inspector("torch", inspect_torch, kernel_code=(HERE / "kernel_side.py",),
                                     model_files=("module.json", "model.safetensors"),
                                     description_files=("module.json",),
                                     judge_code=HERE / "judge_side.py", units_code=HERE / "units_judge.py",
                                     available=torch_available))
