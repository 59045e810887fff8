"""The Keras inspector: models rebuilt in the grader's process in safe mode, or by the judge.

Its harvest code (``kernel_side.py``) exports each ``keras.Model`` the notebook reaches, the
callbacks ``fit`` attached and the fit histories; it waits for the notebook's ``import keras``,
and a notebook whose code names Keras or TensorFlow gets Keras imported in the prelude. Its
judge code (``judge_side.py``) rebuilds a model that needs the notebook's own classes. Here
a model made of built-in layers is rebuilt in safe mode (:mod:`.models`), else judged
(:mod:`.judging`); both are evaluated by the one evaluation loop.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.facts import ModelFacts
from grader.inspect.base import InspectContext, Inspector, register_inspector
from grader.inspect.evaluate import evaluate_model
from grader.inspect.keras.judging import judge_model, judgeable
from grader.inspect.keras.models import keras_predictor, rebuild

BASE_FIELDS = ("key", "section", "order", "names", "api", "reconstructed", "artifact_dir")


def not_plain_arguments(entry: dict) -> tuple[str, ...]:
    """The constructor arguments the harness found not plain (``"dados (ndarray)"``), bounded."""
    found = entry.get("constructor_not_plain")
    return tuple(str(a)[:100] for a in found[:20]) if isinstance(found, list) else ()


def inspect_keras(entry: dict, section: str, directory: Path, context: InspectContext,
                  created_cell: int | None = None) -> ModelFacts:
    """One exported Keras model: rebuilt here in safe mode, else by the judge with the notebook's classes."""
    facts, model = rebuild(entry, section, directory, context.max_export_params)
    if model is None and context.judge is not None and judgeable(entry, directory):
        # its own call(), a custom layer or a lambda: only the notebook's classes can rebuild it
        not_plain = not_plain_arguments(entry)
        if not_plain:  # created with arguments the judge cannot repeat: a teacher looks
            return dataclasses.replace(facts, created_cell=created_cell, constructor_arguments=not_plain,
                                       load_error=f"created with arguments that are not plain values: "
                                                  f"{', '.join(not_plain)}")
        base = {name: getattr(facts, name) for name in BASE_FIELDS}
        return judge_model(context.judge, {**base, "created_cell": created_cell}, directory, context.evaluations,
                           context.splits)
    facts = dataclasses.replace(facts, created_cell=created_cell)
    if model is None or not facts.has_weights or not context.evaluations:
        return facts
    evaluations = evaluate_model(keras_predictor(model), context.evaluations, context.splits, facts.input_shape)
    return dataclasses.replace(facts, evaluations=evaluations)


HERE = Path(__file__).resolve().parent
# what a notebook's code names when it uses Keras (then Keras is imported ahead, in the prelude)
KERAS_NAMES = r"\b(keras|tensorflow|tf_keras)\b"

KERAS = register_inspector(Inspector("keras", inspect_keras, kernel_code=(HERE / "kernel_side.py",),
                                     names=KERAS_NAMES, imports_ahead=("keras",),
                                     model_files=("model.json", "model.weights.h5"), description_files=("model.json",),
                                     judge_code=HERE / "judge_side.py"))
