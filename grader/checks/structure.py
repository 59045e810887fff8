"""Layer-sequence comparison and the choice of the student's model that answers a section.

Layers are compared in the framework-neutral vocabulary of :mod:`grader.facts`, never by a
framework's class names: they are normalized (no input, dropout, reshape or rescaling op,
a standalone activation merged into the layer before it), then aligned with the reference
by dynamic programming on their ops, so one missing or extra layer costs that layer only.
The spec's layer names (``equivalent``, ``ignore``, ``keep``, ``layers``) may be any
framework's classes: each stands for its op.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from grader.checks.base import Outcome, failed
from grader.facts import ACTIVATION_OP, LAYER_ATTRIBUTES, PASSIVE_OPS, LayerFacts, ModelFacts, NotebookFacts, op_of_name
from grader.sealed import is_sealed
from grader.spec import CheckSpec, ModelChoice

COMPARED = LAYER_ATTRIBUTES


class Equivalence:
    """Declared interchangeable values (``equivalent = [["tanh", "relu"], ...]``)."""

    def __init__(self, groups: Iterable[Iterable[Any]] = ()) -> None:
        self._canonical: dict[Any, Any] = {}
        for group in groups or ():
            members = [_hashable(op_of_name(v)) for v in group]
            for value in members:
                self._canonical.setdefault(value, members[0])

    def canon(self, value: Any) -> Any:
        value = _hashable(value)
        if is_sealed(value):  # a student kit's reference value: equal to a member only by its digest
            return next((c for member, c in self._canonical.items() if value == member), value)
        return self._canonical.get(value, value)

    def same(self, a: Any, b: Any) -> bool:
        return self.canon(a) == self.canon(b)


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, (list, tuple)) else value


def _is_pooling(layer: LayerFacts) -> bool:
    return layer.kind == "pool"


def normalize_layers(layers: Sequence[LayerFacts], ignore: Iterable[str] = (),
                     keep: Iterable[str] = ()) -> tuple[LayerFacts, ...]:
    """Drop layers that do not change the architecture and fold standalone activations.

    ``ignore`` drops more layers (by class or op); ``keep`` compares some usually dropped (``Dropout``).
    """
    dropped = (PASSIVE_OPS - {op_of_name(n) for n in keep or ()}) | {op_of_name(n) for n in ignore or ()}
    kept: list[LayerFacts] = []
    for layer in layers:
        if layer.operation in dropped:
            continue
        if layer.operation == ACTIVATION_OP and kept and _activation(kept[-1]) == "linear":
            kept[-1] = dataclasses.replace(kept[-1], activation=layer.activation, output_shape=layer.output_shape)
            continue
        kept.append(layer)
    return tuple(kept)


def _activation(layer: LayerFacts) -> str:
    return layer.activation or "linear"


def _attributes(layer: LayerFacts) -> dict[str, Any]:
    values = {name: getattr(layer, name) for name in COMPARED}
    values["activation"] = _activation(layer)
    if not _is_pooling(layer):
        values["stride"] = None
    return values


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "×".join(str(v) for v in value)
    return str(value)


def describe(layer: LayerFacts) -> str:
    """A compact, language-neutral description: ``Conv2D(6, 5×5, same, tanh)``."""
    parts = [str(layer.width)] if layer.width is not None else []
    parts += [_text(layer.kernel)] if layer.kernel is not None else []
    if _is_pooling(layer) and layer.stride is not None and _hashable(layer.stride) != _hashable(layer.kernel):
        parts.append(f"strides={_text(layer.stride)}")
    parts += [str(v) for v in (layer.padding, layer.activation) if v is not None]
    parts += [f"{layer.rate:g}"] if layer.rate is not None else []
    return f"{layer.class_name}({', '.join(parts)})"


def layer_differences(reference: LayerFacts, student: LayerFacts, eq: Equivalence) -> list[str]:
    """``["filters: 6 ≠ 8", ...]`` for the compared attributes that differ modulo ``eq``."""
    return [f"{name}: {want} ≠ {got}" for name, want, got in layer_changes(reference, student, eq)]


def layer_changes(reference: LayerFacts, student: LayerFacts, eq: Equivalence) -> list[tuple[str, str, str]]:
    """``[("filters", "6", "8"), ...]``: attribute (as reports name it), reference value, student value,
    where they differ."""
    ref, got = _attributes(reference), _attributes(student)
    return [(reference.attribute_name(name), _text(ref[name]), _text(got[name])) for name in COMPARED
            if not eq.same(ref[name], got[name])]


@dataclass(frozen=True)
class Pair:
    """One step of an alignment: a reference layer, a student layer, or both."""

    reference: LayerFacts | None
    student: LayerFacts | None
    score: float = 0.0
    differences: tuple[str, ...] = ()
    changes: tuple[tuple[str, str, str], ...] = ()  # (attribute, reference value, student value)

    @property
    def status(self) -> str:
        if self.student is None:
            return "missing"
        if self.reference is None:
            return "extra"
        return "ok" if not self.differences else "differs"

    def row(self) -> dict[str, Any]:
        return {
            "reference": describe(self.reference) if self.reference else None,
            "student": describe(self.student) if self.student else None,
            "status": self.status,
            "differences": list(self.differences),
            # structured, so a report can name the attribute without its expected value
            "changes": [{"attribute": a, "expected": e, "actual": g} for a, e, g in self.changes],
            "reference_class": self.reference.class_name if self.reference else None,
            "student_class": self.student.class_name if self.student else None,
        }


def _pair(ref: LayerFacts, got: LayerFacts, eq: Equivalence) -> Pair:
    changes = tuple(layer_changes(ref, got, eq))
    differences = tuple(f"{name}: {want} ≠ {found}" for name, want, found in changes)
    return Pair(ref, got, 0.5 if differences else 1.0, differences, changes)


def align(reference: Sequence[LayerFacts], student: Sequence[LayerFacts], eq: Equivalence) -> list[Pair]:
    """Best-scoring alignment of two layer sequences; only equal classes are paired."""
    n, m = len(reference), len(student)
    pairs = {(i, j): _pair(reference[i], student[j], eq) for i in range(n) for j in range(m)
             if eq.same(reference[i].operation, student[j].operation)}
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diagonal = best[i - 1][j - 1] + pairs[(i - 1, j - 1)].score if (i - 1, j - 1) in pairs else -1.0
            best[i][j] = max(best[i - 1][j], best[i][j - 1], diagonal)
    steps: list[Pair] = []
    i, j = n, m
    while i or j:
        pair = pairs.get((i - 1, j - 1)) if i and j else None
        if pair and best[i][j] == best[i - 1][j - 1] + pair.score:
            steps.append(pair)
            i, j = i - 1, j - 1
        elif j and (not i or best[i][j] == best[i][j - 1]):
            steps.append(Pair(None, student[j - 1]))
            j -= 1
        else:
            steps.append(Pair(reference[i - 1], None))
            i -= 1
    return steps[::-1]


@dataclass(frozen=True)
class Comparison:
    """The alignment of a student model with a reference model and its score."""

    pairs: tuple[Pair, ...]
    fraction: float

    @property
    def matched(self) -> int:
        return sum(1 for p in self.pairs if p.status == "ok")

    @property
    def differing(self) -> int:
        return sum(1 for p in self.pairs if p.status == "differs")

    @property
    def reference_layers(self) -> int:
        return sum(1 for p in self.pairs if p.reference is not None)

    def rows(self) -> list[dict[str, Any]]:
        return [p.row() for p in self.pairs]


def compare_layers(reference: Sequence[LayerFacts], student: Sequence[LayerFacts], equivalent=()) -> Comparison:
    """Align normalized layer sequences; fraction = score sum / the longer length."""
    pairs = tuple(align(reference, student, Equivalence(equivalent)))
    longest = max(len(reference), len(student))
    fraction = sum(p.score for p in pairs) / longest if longest else 1.0
    return Comparison(pairs, fraction)


def compare_models(student: ModelFacts, reference: ModelFacts, equivalent=(), ignore=(), keep=()) -> Comparison:
    """Compare two models' normalized layer sequences."""
    return compare_layers(normalize_layers(reference.layers, ignore, keep), normalize_layers(student.layers, ignore, keep),
                          equivalent)


def plain_shape(shape: Any) -> Any:
    """A shape as JSON gives it: nested lists, ``None`` for unknown dimensions."""
    return [plain_shape(v) for v in shape] if isinstance(shape, (list, tuple)) else shape


def summarize(model: ModelFacts) -> dict[str, Any]:
    """A model summary for reports: layers with output shapes and parameter counts."""
    return {
        "names": list(model.names),
        "total_params": model.total_params,
        "trainable_params": model.trainable_params,
        "non_trainable_params": model.non_trainable_params,
        "output_shape": plain_shape(model.output_shape),
        "layers": [
            {"name": layer.name, "layer": describe(layer), "output_shape": plain_shape(layer.output_shape), "params": layer.params}
            for layer in model.layers
        ],
    }


def robust_accuracy(model: ModelFacts) -> float:
    """The model's best accuracy as the grader measured it on its transformed copy of the test
    images (the plain accuracy where no copy was scored), -1 when never evaluated.

    Ties between models are broken by it: a trained model beats an untrained twin, and a twin
    holding the test images in its weights does not beat a trained one, as it would on the
    test images themselves.
    """
    return max(((e.transformed_accuracy if e.transformed_accuracy is not None else e.accuracy)
                for e in model.evaluations), default=-1.0)


def tie_break(model: ModelFacts) -> tuple:
    """After the closeness to what the check looks for: loaded, with weights, trained, the latest."""
    return (model.loaded, model.has_weights, robust_accuracy(model), model.order)


def select_model(student_models: Sequence[ModelFacts], reference_models: Sequence[ModelFacts], equivalent=(), ignore=(),
                 keep=()):
    """The student model closest to any reference: ``(model | None, fraction, reference)``.

    Ties go to a loaded model, then one with weights, then the best accuracy the grader
    measured on its transformed copy (:func:`robust_accuracy`), then the latest created.
    """
    best: tuple[Any, ...] | None = None
    for model in student_models:
        for ref in reference_models:
            fraction = compare_models(model, ref, equivalent, ignore, keep).fraction
            key = (fraction,) + tie_break(model)
            if best is None or key > best[0]:
                best = (key, model, fraction, ref)
    if best is None:
        return None, 0.0, (reference_models[0] if reference_models else None)
    return best[1], best[2], best[3]


def layers_found(model: ModelFacts, wanted: Sequence[str], eq: Equivalence) -> list[str]:
    """The layer names of ``wanted`` (classes of any framework) that ``model`` has a layer of (modulo ``eq``)."""
    present = {eq.canon(layer.operation) for layer in model.layers}
    return [name for name in wanted if eq.canon(op_of_name(name)) in present]


def model_with_layers(models: Sequence[ModelFacts], wanted: Sequence[str], equivalent=()) -> ModelFacts | None:
    """The model holding the most of the ``wanted`` layer classes (ties: :func:`tie_break`)."""
    eq = Equivalence(equivalent)
    return max(models, key=lambda m: (len(layers_found(m, wanted, eq)),) + tie_break(m), default=None)


def section_title(reference: NotebookFacts, section_id: str) -> str:
    """The section's heading as the reference notebook writes it, for messages; else its id."""
    found = reference.section(section_id) if reference is not None else None
    return found.title.strip() if found is not None and found.title.strip() else section_id


def as_names(value: Any) -> tuple[str, ...]:
    """A name or a list of alternative names, as a tuple."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def find_reference_models(reference: NotebookFacts, section_id: str, names: Iterable[str]) -> tuple[ModelFacts, ...]:
    """Reference models by variable name: the same section first, then any section."""
    found: list[ModelFacts] = []
    for name in names:
        for models in (reference.models_of(section_id), [m for s in reference.sections for m in s.models]):
            named = [m for m in models if name in m.names]
            if named:
                model = max(named, key=lambda m: m.order)
                if model not in found:
                    found.append(model)
                break
    return tuple(found)


@dataclass(frozen=True)
class Selection:
    """The student's model chosen for a check, the reference it matched and how well."""

    model: ModelFacts
    reference: ModelFacts
    references: tuple[ModelFacts, ...]
    fraction: float
    comparison: Comparison


def unloaded(model: ModelFacts) -> Outcome:
    """The outcome for a student's model the grader could not rebuild: ``review`` when only a
    teacher can (its constructor took values the judge cannot repeat), else the grader's ``error``."""
    if model.constructor_arguments:
        return Outcome("review", 0.0, "model.constructor_arguments",
                       params={"arguments": ", ".join(model.constructor_arguments)})
    return Outcome("error", 0.0, "model.load_error", params={"reason": model.load_error or "-"})


def reference_models_or_error(reference: NotebookFacts, check: CheckSpec, names: Sequence[str]):
    """The loaded reference models named, or an ``error`` Outcome blaming the reference."""
    found = find_reference_models(reference, check.section, names)
    if not found:
        return Outcome("error", 0.0, "model.reference_missing", params={"names": ", ".join(names) or "-"})
    loaded = tuple(m for m in found if m.loaded)
    if not loaded:
        return Outcome("error", 0.0, "model.reference_unloaded", params={"names": ", ".join(names), "reason": found[0].load_error or "-"})
    return loaded


# A section whose heading was not found is looked for in the whole notebook: the model
# closest to the reference stands for it if at least this share of its layers match.
LOCATE_MIN_FRACTION = 0.5


def tampering_outcome(student: NotebookFacts, section_id: str) -> Outcome | None:
    """``failed`` when the harvest the section's models come from broke a rule of the take step.

    Its models were not read: a notebook that forges its exports (a link, a path outside
    them, a manifest listing a model twice) earns nothing from them, and a teacher is told.
    """
    section = student.section(section_id)
    reason = section.tampering if section is not None else student.other_tampering
    return failed("model.tampered", details={"tampering": reason}) if reason else None


def candidate_models(student: NotebookFacts, section_id: str) -> tuple[tuple[ModelFacts, ...], bool]:
    """``(models, located)``: the section's models, or, when its heading was not found, every
    model built outside the graded sections (``located`` True: found by structure, not by title)."""
    if student.section(section_id) is not None:
        return student.models_of(section_id), False
    return student.other_models, True


def shared_choice(check: CheckSpec) -> ModelChoice | None:
    """The section's model choice when another check makes it for ``check``; None when ``check`` chooses."""
    choice = check.model_choice
    return choice if choice is not None and choice.check != check.id else None


def chosen_model(student: NotebookFacts, reference: NotebookFacts, choice: ModelChoice,
                 section_id: str) -> tuple[tuple[ModelFacts, ...], bool] | None:
    """``(models, located)`` narrowed to the one model ``choice`` picks, as :func:`candidate_models`
    gives them; None when the choosing check's reference models are missing (the check then
    chooses on its own, and the choosing check reports the missing reference)."""
    if choice.layers:
        found = model_with_layers(student.models_of(section_id), choice.layers, choice.equivalent)
        return ((found,) if found is not None else ()), False
    refs = find_reference_models(reference, section_id, choice.reference_model)
    refs = tuple(m for m in refs if m.loaded)
    if not refs:
        return None
    models, located = candidate_models(student, section_id)
    model, fraction, _ = select_model(models, refs, choice.equivalent, choice.ignore, choice.keep)
    if model is None or (located and fraction < LOCATE_MIN_FRACTION):
        return (), located
    return (model,), located


def section_candidates(student: NotebookFacts, reference: NotebookFacts,
                       check: CheckSpec) -> tuple[tuple[ModelFacts, ...], bool]:
    """The models ``check`` may judge: the one its section's choice picks, else all of :func:`candidate_models`."""
    choice = shared_choice(check)
    chosen = chosen_model(student, reference, choice, check.section) if choice is not None else None
    return chosen if chosen is not None else candidate_models(student, check.section)


def resolve_model(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Selection | Outcome:
    """Pick the student's model for ``check`` (``reference_model``, ``require_structure``).

    The model is the one the section's model choice picks (:class:`~grader.spec.ModelChoice`),
    compared with this check's own reference models. Returns an Outcome instead when nothing
    can be judged: no reference model (error), no student model (failed), a model the grader
    could not rebuild (error), or a model whose structure is below ``require_structure`` (failed).
    """
    refs = reference_models_or_error(reference, check, as_names(check.param("reference_model")))
    if isinstance(refs, Outcome):
        return refs
    tampered = tampering_outcome(student, check.section)
    if tampered is not None:
        return tampered
    equivalent, ignore, keep = check.param("equivalent", ()), check.param("ignore", ()), check.param("keep", ())
    models, located = section_candidates(student, reference, check)
    model, fraction, ref = select_model(models, refs, equivalent, ignore, keep)
    if model is None or (located and fraction < LOCATE_MIN_FRACTION):
        return failed("model.none_found", params={"section": section_title(reference, check.section)})
    if not model.loaded:
        return unloaded(model)
    comparison = compare_models(model, ref, equivalent, ignore, keep)
    required = check.param("require_structure")
    if required is not None and fraction < float(required):
        return failed(
            "model.wrong_structure",
            params={"fraction": fraction, "required": float(required)},
            details={"diff": comparison.rows()},
        )
    return Selection(model, ref, refs, fraction, comparison)
