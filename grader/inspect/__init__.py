"""Turn what a kernel exported into :class:`~grader.facts.NotebookFacts`.

Runs in the grader's own process: every number that earns points (parameters,
shapes, accuracy) is recomputed here from the exported artifacts.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from grader.execute import ExecutionRecord
from grader.facts import CallbackFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.inspect.evaluate import evaluate_accuracy
from grader.inspect.models import rebuild
from grader.notebook import Segment
from grader.spec import Assignment

log = logging.getLogger(__name__)

MAX_MANIFEST_BYTES = 32 * 1024 * 1024


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / "manifest.json"
    if not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _inspect_model(entry: dict, section: str, directory: Path, evaluations, splits,
                   max_export_params: int) -> ModelFacts:
    facts, model = rebuild(entry, section, directory, max_export_params)
    if model is None or not facts.has_weights or not evaluations:
        return facts
    results = []
    for spec in evaluations:
        result = evaluate_accuracy(model, splits[spec.name], spec, facts.input_shape)
        if result is not None:
            results.append(result)
    return ModelFacts(**{**facts.__dict__, "evaluations": tuple(results)})


def inspect_execution(record: ExecutionRecord, artifacts: Path, segments: list[Segment],
                      assignment: Assignment, answers: dict[str, dict[str, str]],
                      template_answers: dict[str, str], sha256: str, dataset_dir: Path,
                      attempted: set[str] = frozenset()) -> NotebookFacts:
    """Build the notebook's facts from its execution record and exported files."""
    splits = {spec.name: spec.load(dataset_dir) for spec in assignment.execution.evaluations}
    sections: dict[str, dict[str, Any]] = {}
    for seg in segments:
        if seg.section is None:
            continue
        acc = sections.setdefault(seg.section, {"title": seg.title, "cells": [], "models": [], "values": {},
                                                "harvested": False, "errors": [], "callbacks": []})
        acc["cells"] += list(seg.cells)
        harvest = next((h for h in record.harvests if h.segment == seg.key), None)
        if harvest is None:
            continue
        if harvest.error:
            acc["errors"].append(harvest.error)
        directory = artifacts / harvest.directory
        manifest = _read_manifest(directory)
        acc["harvested"] = acc["harvested"] or bool(manifest) or harvest.error is None
        evaluations = assignment.execution.evaluations if assignment.checks_of(seg.section) else ()
        for entry in manifest.get("models", []):
            if isinstance(entry, dict):
                acc["models"].append(_inspect_model(entry, seg.section, directory / str(entry.get("dir", "")),
                                                    evaluations, splits, assignment.execution.max_export_params))
        acc["values"].update(manifest.get("values", {}) if isinstance(manifest.get("values"), dict) else {})
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
            id=spec.id, title=acc["title"], cells=tuple(acc["cells"]), models=tuple(acc["models"]),
            values=values, answer_text=values["__answers__"].get("*", ""), attempted=spec.id in attempted,
            harvested=acc["harvested"],
            harvest_error="; ".join(acc["errors"]) or None, callbacks=tuple(acc["callbacks"]),
        ))
    return NotebookFacts(
        sha256=sha256, seconds=record.seconds, timed_out=record.timed_out, kernel_died=record.kernel_died,
        cells=record.cells, sections=tuple(facts_sections), error=record.error,
        calls=_read_calls(artifacts / "__calls__", assignment, record.call_errors),
    )


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
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            calls[check.id] = {"defined": bool(data.get("defined")), "results": data["results"]}
        else:
            calls[check.id] = {"defined": None, "error": errors.get(check.id, "the function was not called")}
    return calls
