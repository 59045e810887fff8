"""Facts about one executed notebook: what ran, what failed, which models it built.

Produced by :mod:`grader.execute` (cell records, raw exports) and completed by
:mod:`grader.inspect` (every number recomputed in the grader's own process from the
exported artifacts). Checks read only these dataclasses.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Any

from grader.serial import JsonData, valid_text


# ---------------------------------------------------------------- the layer vocabulary
# A model is a sequence of layers described in words no framework owns: a coarse ``kind``, a
# finer ``op`` (what the layer computes, the unit of alignment), and the attributes below.
# Each framework's inspector (grader/inspect/<framework>/) fills them from its own classes.
LAYER_KINDS = ("dense", "conv", "pool", "activation", "normalization", "dropout", "flatten", "other")
# the attributes of a layer that describe its architecture: compared by the structure checks,
# sealed in a student kit, in this order
LAYER_ATTRIBUTES = ("width", "kernel", "stride", "padding", "activation", "rate")
# ops no architecture comparison counts (``keep`` brings some back)
PASSIVE_OPS = frozenset({"input", "dropout", "reshape", "rescaling"})
ACTIVATION_OP = "activation"  # a layer that only applies an activation (folded into the layer before)

# native class name -> (kind, op), per framework; a class not listed keeps its own name as op
NATIVE_LAYERS: dict[str, dict[str, tuple[str, str]]] = {
    "keras": {
        "Dense": ("dense", "dense"),
        **{f"Conv{d}D": ("conv", f"conv{d}d") for d in (1, 2, 3)},
        **{f"Conv{d}DTranspose": ("conv", f"conv{d}d_transpose") for d in (1, 2, 3)},
        **{f"SeparableConv{d}D": ("conv", f"separable_conv{d}d") for d in (1, 2)},
        **{f"DepthwiseConv{d}D": ("conv", f"depthwise_conv{d}d") for d in (1, 2)},
        **{f"MaxPooling{d}D": ("pool", f"max_pool{d}d") for d in (1, 2, 3)},
        **{f"AveragePooling{d}D": ("pool", f"avg_pool{d}d") for d in (1, 2, 3)},
        **{f"GlobalMaxPooling{d}D": ("pool", f"global_max_pool{d}d") for d in (1, 2, 3)},
        **{f"GlobalAveragePooling{d}D": ("pool", f"global_avg_pool{d}d") for d in (1, 2, 3)},
        "BatchNormalization": ("normalization", "batch_norm"),
        "LayerNormalization": ("normalization", "layer_norm"),
        "Dropout": ("dropout", "dropout"),
        "Flatten": ("flatten", "flatten"),
        "Activation": ("activation", ACTIVATION_OP),
        "InputLayer": ("other", "input"),
        "Reshape": ("other", "reshape"),
        "Rescaling": ("other", "rescaling"),
    },
    "torch": {
        "Linear": ("dense", "dense"),
        **{f"Conv{d}d": ("conv", f"conv{d}d") for d in (1, 2, 3)},
        **{f"ConvTranspose{d}d": ("conv", f"conv{d}d_transpose") for d in (1, 2, 3)},
        **{f"MaxPool{d}d": ("pool", f"max_pool{d}d") for d in (1, 2, 3)},
        **{f"AvgPool{d}d": ("pool", f"avg_pool{d}d") for d in (1, 2, 3)},
        **{f"BatchNorm{d}d": ("normalization", "batch_norm") for d in (1, 2, 3)},
        "LayerNorm": ("normalization", "layer_norm"),
        **{name: ("dropout", "dropout") for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d")},
        "Flatten": ("flatten", "flatten"),
        "Unflatten": ("other", "reshape"),
        **{name: ("activation", ACTIVATION_OP) for name in (
            "ReLU", "ReLU6", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "ELU", "SELU", "GELU", "SiLU",
            "LeakyReLU", "Softplus", "Softsign", "Hardsigmoid")},
    },
}
# a spec names layers by a framework's class (``equivalent = [["AveragePooling2D", "MaxPooling2D"]]``,
# ``layers = ["BatchNormalization", "Dropout"]``): any framework's name stands for its op
_OPS_BY_NAME = {name: op for table in NATIVE_LAYERS.values() for name, (_, op) in table.items()}


def native_layer(framework: str, class_name: str) -> tuple[str, str]:
    """``(kind, op)`` of a framework's layer class; an unknown class is ``("other", class_name)``."""
    return NATIVE_LAYERS.get(framework, {}).get(class_name, ("other", class_name))


def op_of_name(name: Any) -> Any:
    """The op a spec's layer name stands for (a class of any framework); other values unchanged."""
    return _OPS_BY_NAME.get(name, name) if isinstance(name, str) else name


@dataclass(frozen=True)
class LayerFacts(JsonData):
    """One layer, in the framework-neutral vocabulary, as the grader (or its judge) found it."""

    name: str
    class_name: str  # the framework's own class: Conv2D, Conv2d, ...
    params: int
    trainable_params: int
    output_shape: tuple[Any, ...] | None = None  # channels last, batch None: (None, 28, 28, 6)
    kind: str = "other"  # one of LAYER_KINDS
    op: str = ""  # what it computes (conv2d, max_pool2d, dense, ...): layers pair up by it; "" = class_name
    width: int | None = None  # units / filters / out_features / out_channels
    kernel: tuple[int, ...] | None = None  # kernel size (pool size for a pooling layer)
    stride: tuple[int, ...] | None = None
    padding: str | None = None  # "same", "valid", or the explicit amounts ("1×2")
    activation: str | None = None
    rate: float | None = None  # of a dropout
    buffers: int = 0  # values held but not learned (a BatchNorm's running statistics in PyTorch)

    @property
    def operation(self) -> str:
        return self.op or self.class_name

    @classmethod
    def from_json(cls, data) -> "LayerFacts":
        """Also a layer stored before the neutral vocabulary (facts format 3: Keras' ``units``,
        ``filters``, ``kernel_size``, ``pool_size``, ``strides``), so an old run's folder re-checks alike."""
        if isinstance(data, dict) and "kind" not in data and "class_name" in data:
            kind, op = native_layer("keras", str(data["class_name"]))
            pooling = kind == "pool" or (kind == "other" and data.get("pool_size") is not None)
            data = {**data, "kind": "pool" if pooling else kind, "op": op if op != data["class_name"] else "",
                    "width": data.get("units") if data.get("units") is not None else data.get("filters"),
                    "kernel": data.get("pool_size") if pooling else data.get("kernel_size"),
                    "stride": data.get("strides")}
        return super().from_json(data)

    def attribute_name(self, attribute: str) -> str:
        """The name reports give an attribute (catalogue ``report.attribute.*``): ``filters`` of a conv."""
        if attribute == "width":
            return "filters" if self.kind == "conv" else "units"
        if attribute == "kernel":
            return "pool_size" if self.kind == "pool" else "kernel_size"
        return "strides" if attribute == "stride" else attribute


@dataclass(frozen=True)
class EvaluationFacts(JsonData):
    """Accuracy of one model on one held-out dataset, computed by the grader."""

    dataset: str
    accuracy: float
    samples: int
    scale: str
    confusion: tuple[tuple[int, ...], ...] | None = None  # rows: true class, columns: predicted
    inverted: bool = False  # a two-group model read with its labels swapped (the student's encoding)
    # how the grader fed its 28×28 test images to the model: "28x28x1", "pad32", "flat784", ...
    input_form: str = ""
    # per-class precision / recall / F1 / support (scikit-learn), one dict per class
    per_class: tuple[dict[str, Any], ...] = ()
    # the same model on a copy of a random subset of the test images that the grader moved by
    # one pixel and lightly noised, with a seed the kernel never sees (a model that memorized
    # the test files does much worse there): accuracy on the copy, and on the same images
    # untouched; None when not measured
    transformed_accuracy: float | None = None
    transformed_clean_accuracy: float | None = None
    transformed_samples: int = 0

    @property
    def transformed_drop(self) -> float | None:
        """How much accuracy the model lost on the grader's transformed copy (same images, untouched vs moved)."""
        if self.transformed_accuracy is None or self.transformed_clean_accuracy is None:
            return None
        return round(self.transformed_clean_accuracy - self.transformed_accuracy, 6)


@dataclass(frozen=True)
class CompileFacts(JsonData):
    """How a model was compiled: optimizer class and hyperparameters, loss names."""

    optimizer: str | None = None
    optimizer_config: dict[str, Any] = field(default_factory=dict)
    loss: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelFacts(JsonData):
    """A model the notebook built, recomputed from its exported artifacts."""

    key: str
    section: str
    order: int
    names: tuple[str, ...] = ()
    api: str = "unknown"  # sequential | functional | subclass
    framework: str = "keras"  # the inspector that read it (grader/inspect/<framework>/)
    reconstructed: bool = False
    has_weights: bool = False
    total_params: int | None = None
    trainable_params: int | None = None
    non_trainable_params: int | None = None
    buffers: int = 0  # values held but not learned nor counted as parameters (PyTorch's BatchNorm statistics)
    input_shape: tuple[Any, ...] | None = None
    output_shape: tuple[Any, ...] | None = None
    layers: tuple[LayerFacts, ...] = ()
    evaluations: tuple[EvaluationFacts, ...] = ()
    load_error: str | None = None
    artifact_dir: str | None = None
    compiled: CompileFacts | None = None  # None when the model was never compiled
    # facts computed by the judge process, with the student's own classes loaded (a custom
    # ``call()`` produced the predictions): a teacher may want to look
    judged_with_student_code: bool = False
    # the constructor's arguments (``LeNet5(dados)``) that are not plain values: the judge cannot
    # call the class again with them, so the model is not rebuilt and a teacher looks
    constructor_arguments: tuple[str, ...] = ()
    created_cell: int | None = None  # 0-based index of the notebook cell that created the model
    # what ``fit`` returned, recorded by the kernel's harness: ``History.history`` of every fit
    # of this model, appended ("loss", "val_accuracy", ... -> one number per epoch; None for NaN);
    # drawn as learning curves in the report, never scored
    history: dict[str, tuple[float | None, ...]] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        return self.load_error is None and self.total_params is not None

    def evaluation(self, dataset: str) -> EvaluationFacts | None:
        return next((e for e in self.evaluations if e.dataset == dataset), None)


# IPython's file name for a cell's code, in a SyntaxError's value: "'(' was never closed (89103478.py, line 2)"
_INTERNAL_NAME = re.compile(r" \((?:\S*/)?\d+\.py, line \d+\)$")


def plain_evalue(evalue: str | None) -> str:
    """An error's value without IPython's internal file name (the report marks the line instead)."""
    return _INTERNAL_NAME.sub("", evalue or "")


@dataclass(frozen=True)
class CellRecord(JsonData):
    """How one student cell ran."""

    index: int
    section: str | None
    status: str  # ok | error | timeout | skipped | not_run | excluded (by the spec's [[execution.skip]], never run)
    ename: str | None = None
    evalue: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    source: str | None = None  # the cell's code, kept for cells that failed (first MAX_SOURCE_CHARS)
    reason: str | None = None  # why an ``excluded`` cell was not executed (the rule's reason, or its tag/pattern)


@dataclass(frozen=True)
class CallbackFacts(JsonData):
    """A Keras callback the section created: its classes, public settings, whether ``fit`` used it."""

    class_name: str
    keras_classes: tuple[str, ...] = ()  # the Keras classes it is an instance of (subclasses count)
    used: bool = False  # attached to a model by ``fit`` in this section
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionFacts(JsonData):
    """Everything harvested at the end of one section of the notebook."""

    id: str
    title: str
    cells: tuple[int, ...] = ()
    models: tuple[ModelFacts, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    answer_text: str = ""
    attempted: bool = False
    harvested: bool = False
    harvest_error: str | None = None
    callbacks: tuple[CallbackFacts, ...] = ()
    found_by: str = "heading"  # heading | tag: how the section was located in the notebook
    # the rule its harvest broke when the grader took it (a link, a path outside the exports,
    # a size): its models were not read, and its model checks fail as tampering
    tampering: str | None = None


@dataclass(frozen=True)
class NotebookFacts(JsonData):
    """The facts of one executed notebook; what checks judge."""

    sha256: str
    seconds: float = 0.0
    timed_out: bool = False
    kernel_died: bool = False
    cells: tuple[CellRecord, ...] = ()
    sections: tuple[SectionFacts, ...] = ()
    error: str | None = None
    # the error as a catalogue message, when it has one (``error`` stays the English text)
    error_key: str | None = None
    error_params: dict[str, Any] = field(default_factory=dict)
    isolation: str = ""  # strict | degraded | none: how the kernel was confined
    cifar10: str = ""  # real | synthetic: the CIFAR-10 the kernel could read ("": none; grader.cifar10)
    calls: dict[str, Any] = field(default_factory=dict)  # function check id -> {"defined", "results" | "error"}
    # judged check id -> {"ok", "result" | "missing" | "error"}: a grader unit run by the judge process
    units: dict[str, Any] = field(default_factory=dict)
    # what the kernel's compatibility layer did: {"kind", "name", "modern", "detail"} per use
    # (Colab stand-in, pip, magics, Keras 2 names); shown to students as warnings
    compat: tuple[dict[str, Any], ...] = ()
    # models built outside every graded section; inspected (and evaluated) only when some
    # section of the assignment was not found by its heading, to be found by structure
    other_models: tuple[ModelFacts, ...] = ()
    # notes for a teacher, e.g. {"kind": "section_by_structure", "section", "cell" (1-based), "model"}
    review_notes: tuple[dict[str, Any], ...] = ()
    # the rule broken by a harvest outside every graded section (see SectionFacts.tampering)
    other_tampering: str | None = None

    @classmethod
    def from_json(cls, data) -> "NotebookFacts":
        """Every string made valid UTF-8: a kernel's text (a value, an error) may hold a lone surrogate."""
        return super().from_json(valid_text(data))

    def section(self, section_id: str) -> SectionFacts | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def cells_of(self, section_id: str) -> tuple[CellRecord, ...]:
        return tuple(c for c in self.cells if c.section == section_id)

    def models_of(self, section_id: str) -> tuple[ModelFacts, ...]:
        section = self.section(section_id)
        return section.models if section else ()
