"""What a student kit holds, built from an assignment and its reference's facts (pure).

Only the visible checks go in; each keeps the spec's keys except what it does not reveal:
hidden inputs of ``function`` checks are dropped, a non-revealed literal ``expected`` or
``numbers`` and every keyword list of a written answer are sealed (:mod:`grader.sealed`).
The reference's facts are cut down to what those checks read (section titles, the named
models, the named variables, the function results on visible inputs), sealed where the
check does not reveal its expected value. A check the kit cannot judge without revealing
its expected value is *deferred*: it is listed, and left to the instructor's run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from grader.checks.base import CheckKind, Registry, default_registry
from grader.checks.structure import find_reference_models, plain_shape
from grader.checks.text import NUMBER_TOLERANCE, normalize
from grader.checks.value import lookup_variable
from grader.facts import LAYER_ATTRIBUTES, LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.sealed import Sealed, SealedKeyword, SealedNumber, is_number
from grader.serial import JsonData
from grader.spec import Assignment, CheckNeeds, CheckSpec

# 2: each check keeps what it reads (``needs``), for ``verificar()`` to export; 3: layers in the
# framework-neutral vocabulary (kind, op, width, kernel, stride)
FORMAT = 3


@dataclass(frozen=True)
class KitContents(JsonData):
    """A kit: the visible checks (sealed), the reference facts they need (sealed), the kit's key."""

    assignment: Assignment
    reference: NotebookFacts
    key: str
    deferred: tuple[str, ...] = ()  # checks left to the instructor's run
    hidden_inputs: dict[str, int] = field(default_factory=dict)  # function check id -> hidden inputs not in the kit
    format: int = FORMAT
    grader_version: str = ""


def deferred_reason(check: CheckSpec, kinds: Registry) -> str | None:
    """Why a visible check cannot be judged from a kit (as its kind declares), or None."""
    if check.kind not in kinds or not kinds.get(check.kind).kit:
        return "kind"
    if kinds.get(check.kind).expected_in_spec(check.params) and not check.reveals_expected:
        return "not_revealed"
    return None


class Sealer:
    """Seals values under one key, each under its own context (the check or model and the path)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def value(self, value: Any, context: str, rel_tol: float, abs_tol: float) -> Any:
        """A variable's value: integers and strings exact, floats within tolerance, lists element-wise."""
        if isinstance(value, list):
            return [self.value(v, f"{context}[{n}]", rel_tol, abs_tol) for n, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.value(v, f"{context}[{k!r}]", rel_tol, abs_tol) for k, v in value.items()}
        if isinstance(value, float):
            return SealedNumber.of(value, self.key, context, rel_tol, abs_tol)
        if isinstance(value, str):
            return Sealed.of(normalize(value), self.key, context)
        return Sealed.of(value, self.key, context)

    def exact(self, value: Any, context: str) -> Any:
        return None if value is None else Sealed.of(value, self.key, context)

    def layer(self, layer: LayerFacts, context: str) -> LayerFacts:
        attributes = {name: self.exact(getattr(layer, name), f"{context}/{name}") for name in LAYER_ATTRIBUTES}
        return LayerFacts(name=context.rsplit("/", 1)[-1], class_name=layer.class_name, kind=layer.kind, op=layer.op,
                          params=self.exact(layer.params, f"{context}/params"),
                          trainable_params=self.exact(layer.trainable_params, f"{context}/trainable"),
                          output_shape=self.exact(plain_shape(layer.output_shape), f"{context}/shape"), **attributes)

    def model(self, model: ModelFacts) -> ModelFacts:
        """A reference model as checks read it, every count, shape and layer attribute sealed."""
        context = f"model/{model.key}"
        counts = {name: self.exact(getattr(model, name), f"{context}/{name}")
                  for name in ("total_params", "trainable_params", "non_trainable_params")}
        return dataclasses.replace(
            plain_model(model), **counts, output_shape=self.exact(plain_shape(model.output_shape), f"{context}/shape"),
            layers=tuple(self.layer(layer, f"{context}/layer{n}") for n, layer in enumerate(model.layers, start=1)))

    def keywords(self, words: list[str], context: str) -> list[SealedKeyword]:
        return [SealedKeyword.of(normalize(w), self.key, f"{context}/{n}") for n, w in enumerate(words)]


def plain_model(model: ModelFacts) -> ModelFacts:
    """A reference model without what no check of a kit reads (evaluations, history, files)."""
    return ModelFacts(key=model.key, section=model.section, order=model.order, names=model.names, api=model.api,
                      framework=model.framework,
                      reconstructed=model.reconstructed, has_weights=model.has_weights,
                      total_params=model.total_params, trainable_params=model.trainable_params,
                      non_trainable_params=model.non_trainable_params, output_shape=model.output_shape,
                      layers=tuple(dataclasses.replace(layer, name=f"layer{n}")
                                   for n, layer in enumerate(model.layers, start=1)),
                      load_error=model.load_error)


def tolerances(check: CheckSpec) -> tuple[float, float]:
    return float(check.param("rel_tol", 1e-6)), float(check.param("abs_tol", 1e-9))


def kit_check(check: CheckSpec, sealer: Sealer, kinds: Registry) -> CheckSpec:
    """The check as the kit holds it: no hidden inputs, nothing it does not reveal readable."""
    params = dict(check.params)
    if deferred_reason(check, kinds):  # what it reads goes with its parameters
        needs = kinds.get(check.kind).needs({}) if check.kind in kinds else CheckNeeds()
        return dataclasses.replace(check, params={}, needs=needs)
    params.pop("hidden_inputs", None)
    context = f"spec/{check.id}"
    if check.kind == "value" and "expected" in params and not check.reveals_expected:
        params["expected"] = sealer.value(params["expected"], f"{context}/expected", *tolerances(check))
    if check.kind == "answer_text":
        if params.get("numbers") and not check.reveals_expected:
            params["numbers"] = [sealer.value(n if is_number(n) else float(n), f"{context}/numbers{i}",
                                              NUMBER_TOLERANCE, NUMBER_TOLERANCE)
                                 for i, n in enumerate(params["numbers"])]
        # the keyword lists are never shown to students (they would invite keyword stuffing)
        params["any_of"] = [sealer.keywords(list(g), f"{context}/any_of{i}") for i, g in enumerate(params.get("any_of", []))]
        params["none_of"] = sealer.keywords(list(params.get("none_of", [])), f"{context}/none_of")
    return dataclasses.replace(check, params=params)


class _ReferenceCut:
    """The reference facts a kit keeps, gathered check by check."""

    def __init__(self, reference: NotebookFacts, sealer: Sealer) -> None:
        self.reference, self.sealer = reference, sealer
        self.models: dict[str, tuple[ModelFacts, bool]] = {}  # key -> (model, sealed)
        self.values: dict[str, dict[str, Any]] = {}
        self.calls: dict[str, Any] = {}

    def add_models(self, check: CheckSpec, names: list[str], sealed: bool) -> None:
        for model in find_reference_models(self.reference, check.section, names):
            _, was_sealed = self.models.get(model.key, (None, False))
            self.models[model.key] = (model, sealed or was_sealed)

    def add_value(self, check: CheckSpec, sealed: bool) -> None:
        names = check.param("reference_variable")
        found = lookup_variable(self.reference, check.section, (names,) if isinstance(names, str) else tuple(names or ()))
        if found is None:
            return
        name, value = found
        if sealed:
            value = self.sealer.value(value, f"value/{check.id}/{name}", *tolerances(check))
        self.values.setdefault(check.section, {}).setdefault(name, value)

    def add_calls(self, check: CheckSpec, sealed: bool) -> None:
        calls = self.reference.calls.get(check.id)
        if not isinstance(calls, dict):
            return
        visible = len(check.param("inputs", []))
        results = []
        for n, result in enumerate(list(calls.get("results", []))[:visible]):
            if sealed and isinstance(result, dict) and "value" in result:
                result = {"value": self.sealer.value(result["value"], f"call/{check.id}/{n}", *tolerances(check))}
            results.append(result)
        self.calls[check.id] = {**{k: v for k, v in calls.items() if k != "results"}, "results": results}

    def add(self, check: CheckSpec, kind: CheckKind) -> None:
        sealed = not check.reveals_expected
        names = check.param(kind.reference_model_param) if kind.reference_model_param else None
        if names:
            self.add_models(check, [names] if isinstance(names, str) else list(names), sealed)
        elif check.kind == "value" and "expected" not in check.params:
            self.add_value(check, sealed)
        elif check.kind == "function":
            self.add_calls(check, sealed)

    def facts(self) -> NotebookFacts:
        sections = []
        for section in self.reference.sections:
            models = tuple(self.sealer.model(m) if sealed else plain_model(m)
                           for m, sealed in sorted(self.models.values(), key=lambda pair: pair[0].order)
                           if m.section == section.id)
            sections.append(SectionFacts(id=section.id, title=section.title, models=models,
                                         values=self.values.get(section.id, {}), harvested=True))
        return NotebookFacts(sha256="", sections=tuple(sections), calls=self.calls)


def build_contents(assignment: Assignment, reference: NotebookFacts, key: str, grader_version: str = "",
                   kinds: Registry | None = None) -> KitContents:
    """The kit of ``assignment``: its visible checks and the reference facts they need, sealed under ``key``.

    ``kinds``: the registry the assignment was loaded with (default: the built-in kinds and plugins).
    """
    kinds = kinds or default_registry()
    sealer = Sealer(key)
    visible = [c for c in assignment.checks if c.visibility == "visible"]
    cut = _ReferenceCut(reference, sealer)
    for check in visible:
        if not deferred_reason(check, kinds):
            cut.add(check, kinds.get(check.kind))
    # every section stays (a heading found in the handout, nothing secret): the notebook splits as in a run
    spec = dataclasses.replace(assignment, root=".", reference="", spec_path="",
                               checks=tuple(kit_check(c, sealer, kinds) for c in visible))
    return KitContents(
        assignment=spec, reference=cut.facts(), key=key,
        deferred=tuple(c.id for c in visible if deferred_reason(c, kinds)),
        hidden_inputs={c.id: len(c.param("hidden_inputs", [])) for c in visible
                       if c.kind == "function" and c.param("hidden_inputs")},
        grader_version=grader_version)
