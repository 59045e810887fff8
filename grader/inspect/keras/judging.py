"""Keras models judged with the notebook's own classes: the judge's description, checked here.

The parameter count the judge gives must equal the weight file's, which the grader reads
itself (:func:`weight_file_sizes`); accuracy is computed from the judge's outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader.facts import ModelFacts
from grader.inspect.evaluate import evaluate_model
from grader.inspect.judge import Judge, JudgeFailed, bounded
from grader.inspect.keras.layers import _shape, layer_facts_from
from grader.inspect.keras.models import compile_facts


def weight_file_sizes(path: Path) -> list[int]:
    """Sizes of the model's arrays in a Keras ``.weights.h5`` file, read by the grader itself."""
    import h5py

    sizes: list[int] = []

    def visit(name, item):
        # the file also holds the optimizer's state (moments, step count): not parameters
        if isinstance(item, h5py.Dataset) and name.split("/", 1)[0] != "optimizer":
            sizes.append(int(np.prod(item.shape)) if item.shape else 1)

    with h5py.File(path, "r") as handle:
        handle.visititems(visit)
    return sizes




def judgeable(entry: dict, directory: Path) -> bool:
    """A model the grader could not rebuild that the judge may: exported with its configuration and weights."""
    return (directory / "model.json").is_file() and (directory / "model.weights.h5").is_file() and not entry.get("error")


def judge_model(judge: Judge, base: dict, directory: Path, evaluations, splits) -> ModelFacts:
    """Facts of one model rebuilt by the judge, checked against the weight file; ModelFacts either way."""
    try:
        key, answer = judge.load(directory, "keras")
    except (JudgeFailed, ValueError) as exc:
        return ModelFacts(**base, load_error=bounded(exc))
    try:
        sizes = weight_file_sizes(directory / "model.weights.h5")
    except (OSError, ValueError) as exc:
        return ModelFacts(**base, load_error=f"cannot read the exported weights: {exc}")
    total = sum(sizes)
    claimed = [int(n) for n in answer.get("weights", []) if isinstance(n, int)]
    trainable = sum(int(n) for n in answer.get("trainable", []) if isinstance(n, int))
    if sum(claimed) != total or not 0 <= trainable <= total:
        judge.distrust("the judge's description did not match the exported weights")
        return ModelFacts(**base, load_error="the judge's description does not match the exported weights")
    try:
        layers = tuple(layer_facts_from(l["name"], l["class"], l.get("config") or {}, l.get("params", 0),
                                        l.get("trainable", 0), l.get("output_shape"))
                       for l in answer.get("layers", []) if isinstance(l, dict))
        input_shape, output_shape = _shape(answer.get("input_shape")), _shape(answer.get("output_shape"))
    except (KeyError, TypeError, ValueError) as exc:
        return ModelFacts(**base, load_error=f"the judge's description is malformed: {exc}")
    try:
        config = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        config = None
    results = evaluate_model(lambda x: judge.predict(key, x), evaluations, splits, input_shape)
    return ModelFacts(
        **{**base, "reconstructed": True},
        has_weights=True, total_params=total, trainable_params=trainable, non_trainable_params=total - trainable,
        input_shape=input_shape, output_shape=output_shape, layers=layers, evaluations=results,
        compiled=compile_facts(config), judged_with_student_code=True,
    )
