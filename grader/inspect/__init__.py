"""Turn what a kernel exported into :class:`~grader.facts.NotebookFacts`.

Runs in the grader's own process: every number that earns points (parameters,
shapes, accuracy) is recomputed here from the exported artifacts.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from grader.execute import ExecutionRecord
from grader.execute.take import MODEL_DIR, HarvestLimits, HarvestRuleBroken, parse_manifest
from grader.facts import CallbackFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.inspect import keras as _keras, torch as _torch  # noqa: F401 - the built-in inspectors register
from grader.inspect.base import InspectContext, inspector_for
from grader.inspect.judge import Judge
from grader.notebook import Segment
from grader.spec import Assignment

log = logging.getLogger(__name__)

MAX_HISTORY_KEYS, MAX_HISTORY_EPOCHS = 20, 1000


def _read_histories(entries: Any, found: dict[int, dict[str, tuple[float | None, ...]]]) -> None:
    """Fit histories of a manifest (``{order: {key: [numbers]}}``) into ``found``; later ones replace earlier."""
    for order, curves in (entries.items() if isinstance(entries, dict) else ()):
        if not (str(order).isdecimal() and len(str(order)) <= 9) or not isinstance(curves, dict):
            continue
        clean = {}
        for key, values in list(curves.items())[:MAX_HISTORY_KEYS]:
            if isinstance(key, str) and isinstance(values, list):
                clean[key[:60]] = tuple(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
                                        for v in values[:MAX_HISTORY_EPOCHS])
        if clean:
            found[int(order)] = clean


MAX_VALUE_BYTES = 2 * 2**20  # of one exported variable, as JSON: facts.json and the store stay small
MAX_VALUES = 200


def _bounded_values(values: Any) -> dict[str, Any]:
    """Exported variables of a manifest, each at most ``MAX_VALUE_BYTES`` as JSON (larger ones are left out)."""
    kept: dict[str, Any] = {}
    for name, value in list(values.items())[:MAX_VALUES] if isinstance(values, dict) else ():
        try:
            size = len(json.dumps(value))
        except (TypeError, ValueError, RecursionError):
            continue
        if isinstance(name, str) and len(name) <= 200 and size <= MAX_VALUE_BYTES:
            kept[name] = value
        else:
            log.info("exported variable %.60r left out: %d bytes", name, size)
    return kept


def _with_histories(models: list[ModelFacts], histories: dict[int, dict]) -> tuple[ModelFacts, ...]:
    return tuple(dataclasses.replace(m, history=histories[m.order]) if m.order in histories else m for m in models)


def _read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a taken harvest (the grader's own copy, checked when it was taken)."""
    path = directory / "manifest.json"
    try:
        return parse_manifest(path.read_bytes(), HarvestLimits()) if path.is_file() else {}
    except (OSError, HarvestRuleBroken):
        return {}


def _inspect_model(entry: dict, section: str, directory: Path, evaluations, splits,
                   max_export_params: int, judge: Judge | None = None, created_cell: int | None = None) -> ModelFacts:
    """One model entry of a taken harvest, by the inspector of its framework."""
    framework = str(entry.get("framework") or "keras")
    inspector = inspector_for(framework)
    if inspector is None or not inspector.available():
        return ModelFacts(key=f"{section}/{entry.get('dir', '?')}", section=section, order=int(entry.get("order", 0)),
                          names=tuple(str(n) for n in entry.get("names", [])), framework=framework,
                          artifact_dir=str(directory), created_cell=created_cell,
                          load_error=f"the grader cannot inspect {framework} models here (is its extra installed?)")
    context = InspectContext(tuple(evaluations), splits, max_export_params, judge)
    return inspector.inspect(entry, section, directory, context, created_cell)


def _created_cell(entry: dict, cell_counts: dict[str, int]) -> int | None:
    count = entry.get("execution_count")
    return cell_counts.get(str(count)) if isinstance(count, int) else None


def _read_compat(entries: Any) -> list[dict[str, str]]:
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("kind"), str):
            found.append({k: str(entry.get(k) or "")[:300] for k in ("kind", "name", "modern", "detail")})
    return found[:200]


def inspect_execution(record: ExecutionRecord, artifacts: Path, segments: list[Segment],
                      assignment: Assignment, answers: dict[str, dict[str, str]],
                      template_answers: dict[str, str], sha256: str, dataset_dir: Path,
                      attempted: set[str] = frozenset(), judge: Judge | None = None) -> NotebookFacts:
    """Build the notebook's facts from its execution record and exported files.

    Models built outside every graded section are inspected (and evaluated) only when a
    section of the assignment was not found by its heading: the checks then look for that
    section's model in the whole notebook, by structure.
    """
    splits = {spec.name: spec.load(dataset_dir) for spec in assignment.execution.evaluations}
    found_sections = {seg.section for seg in segments if seg.section}
    some_missing = any(spec.id not in found_sections for spec in assignment.sections)
    # only models an accuracy-reading check may pick are evaluated: a section's own, and those
    # outside every section when such a section's heading was not found
    evaluated = set(assignment.evaluated_sections())
    evaluate_others = bool(evaluated - found_sections)
    sections: dict[str, dict[str, Any]] = {}
    other_models: list[ModelFacts] = []
    other_tampering: str | None = None
    compat: list[dict[str, str]] = []
    histories: dict[int, dict[str, tuple[float | None, ...]]] = {}  # by model order, across harvests
    harvests = {h.segment: h for h in record.harvests}
    for seg in segments:
        harvest = harvests.get(seg.key)
        directory = artifacts / harvest.directory if harvest is not None else None
        manifest = _read_manifest(directory) if directory is not None else {}
        compat += _read_compat(manifest.get("compat"))
        _read_histories(manifest.get("histories"), histories)  # a graded model may be trained in a later segment
        if seg.section is None and not some_missing:
            continue  # an ungraded segment: its models are not needed
        acc = sections.setdefault(seg.section or "", {"title": seg.title, "cells": [], "models": [], "values": {},
                                                       "harvested": False, "errors": [], "callbacks": [],
                                                       "tampering": None})
        acc["cells"] += list(seg.cells)
        if harvest is None:
            continue
        if harvest.error:
            acc["errors"].append(harvest.error)
        # an inspector's kernel code that failed (its models are missing; the others were exported)
        acc["errors"] += [str(e)[:500] for e in (manifest.get("harvest_errors") or [])[:5]
                          if isinstance(manifest.get("harvest_errors"), list)]
        if harvest.tampering:
            acc["tampering"] = acc["tampering"] or harvest.tampering
            if not seg.section:  # models outside the sections stand in for a section found by structure
                other_tampering = other_tampering or harvest.tampering
            continue
        acc["harvested"] = acc["harvested"] or bool(manifest) or harvest.error is None
        wanted = seg.section in evaluated if seg.section else evaluate_others
        evaluations = assignment.execution.evaluations if wanted else ()
        for entry in manifest.get("models", []):
            if isinstance(entry, dict) and MODEL_DIR.fullmatch(str(entry.get("dir"))):
                model = _inspect_model(entry, seg.section or seg.key, directory / str(entry["dir"]),
                                       evaluations, splits, assignment.execution.max_export_params, judge,
                                       _created_cell(entry, record.cell_counts))
                (acc["models"] if seg.section else other_models).append(model)
        acc["values"].update(_bounded_values(manifest.get("values")))
        acc["callbacks"] += _read_callbacks(manifest.get("callbacks"))
    facts_sections = []
    for spec in assignment.sections:
        acc = sections.get(spec.id)
        if acc is None:
            continue
        values = dict(acc["values"])
        values["__answers__"] = answers.get(spec.id, {"*": ""})
        values["__template_answers__"] = template_answers
        facts_sections.append(SectionFacts(
            id=spec.id, title=acc["title"], cells=tuple(acc["cells"]), models=_with_histories(acc["models"], histories),
            values=values, answer_text=values["__answers__"].get("*", ""), attempted=spec.id in attempted,
            harvested=acc["harvested"],
            harvest_error="; ".join(acc["errors"]) or None, callbacks=tuple(acc["callbacks"]),
            tampering=acc["tampering"],
        ))
    notes = tuple({"kind": "tampering", "section": s.id, "reason": s.tampering} for s in facts_sections
                  if s.tampering)
    if other_tampering:
        notes += ({"kind": "tampering", "section": None, "reason": other_tampering},)
    return NotebookFacts(
        sha256=sha256, seconds=record.seconds, timed_out=record.timed_out, kernel_died=record.kernel_died,
        cells=record.cells, sections=tuple(facts_sections), error=record.error,
        calls=_read_calls(artifacts / "__calls__", assignment, record.call_errors),
        units=judge_units(assignment, judge),
        compat=tuple(compat), other_models=_with_histories(other_models, histories),
        review_notes=notes, other_tampering=other_tampering,
    )


def judge_units(assignment: Assignment, judge: Judge | None) -> dict[str, Any]:
    """The grader's units run by the judge on the notebook's definitions, per judged check."""
    units: dict[str, Any] = {}
    for check in assignment.checks:
        framework = check.needs.judged
        if not framework:
            continue
        inspector = inspector_for(framework)
        if inspector is None or not inspector.available():
            units[check.id] = {"ok": False, "unavailable": framework}
        elif judge is None:
            units[check.id] = {"ok": False, "error": "the judge process is not running"}
        else:
            units[check.id] = judge.unit(framework, str(check.param("unit")), dict(check.params))
    return units


def _read_callbacks(entries: Any) -> list[CallbackFacts]:
    """Callbacks from a manifest, keeping only well-formed entries and plain settings."""
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("class"), str):
            continue
        attributes = entry.get("attributes") if isinstance(entry.get("attributes"), dict) else {}
        classes = entry.get("keras_classes") if isinstance(entry.get("keras_classes"), list) else []
        found.append(CallbackFacts(
            class_name=entry["class"][:200], keras_classes=tuple(str(c)[:200] for c in classes[:20]),
            used=entry.get("used") is True,
            attributes={str(k): v for k, v in attributes.items()
                        if v is None or isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 500)},
        ))
    return found[:100]


def _read_calls(folder: Path, assignment: Assignment, errors: dict[str, str]) -> dict[str, Any]:
    """Results of the student's functions on the grader's inputs, per ``function`` check."""
    calls: dict[str, Any] = {}
    for check in assignment.checks:
        if check.kind != "function":
            continue
        path = folder / check.id / "calls.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        except (OSError, json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            calls[check.id] = {"defined": bool(data.get("defined")), "results": data["results"]}
        else:
            calls[check.id] = {"defined": None, "error": errors.get(check.id, "the function was not called")}
    return calls
