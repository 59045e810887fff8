"""A kit on disk: ``kit.json`` (checks, sealed reference facts, key) and the handout notebook."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.facts import LayerFacts, ModelFacts, NotebookFacts, SectionFacts
from grader.kit.contents import FORMAT, KitContents
from grader.sealed import decode_hook, is_sealed
from grader.serial import JsonData
from grader.spec import Assignment

MANIFEST = "kit.json"


def write_kit(contents: KitContents, handout: Path, out: Path) -> Path:
    """Write the kit into ``out`` (created); nothing else of the assignment is copied."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(handout, out / contents.assignment.notebook)
    path = out / MANIFEST
    path.write_text(json.dumps(contents.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _with_sealed(cls: type[JsonData], data: dict[str, Any], **nested: Any):
    """``cls.from_json(data)`` keeping sealed values where they stand (their type hints would iterate them)."""
    sealed = {k: v for k, v in data.items() if is_sealed(v)}
    plain = {k: None if k in sealed else v for k, v in data.items() if k not in nested}
    return dataclasses.replace(cls.from_json(plain), **sealed, **nested)


def _model(data: dict[str, Any]) -> ModelFacts:
    return _with_sealed(ModelFacts, data, layers=tuple(_with_sealed(LayerFacts, layer) for layer in data.get("layers", ())))


def _reference(data: dict[str, Any]) -> NotebookFacts:
    sections = tuple(_with_sealed(SectionFacts, s, models=tuple(_model(m) for m in s.get("models", ())))
                     for s in data.get("sections", ()))
    return _with_sealed(NotebookFacts, data, sections=sections)


def is_kit(folder: Path) -> bool:
    return (Path(folder) / MANIFEST).is_file()


def load_kit(folder: Path) -> KitContents:
    """Read a kit written by :func:`write_kit`; a folder that is not one is a usage error."""
    folder = Path(folder)
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
        key = json.loads(text)["key"]
        data = json.loads(text, object_hook=decode_hook(key))
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"'{folder}' is not a student kit (no readable {MANIFEST})", "usage.kit.missing",
                         kit=str(folder)) from None
    if data.get("format") != FORMAT:
        raise UsageError(f"the kit '{folder}' was made by another grader version", "usage.kit.format",
                         kit=str(folder))
    assignment = Assignment.from_json(data["assignment"])
    assignment = dataclasses.replace(assignment, root=str(folder.resolve()))
    return KitContents(assignment=assignment, reference=_reference(data["reference"]), key=key,
                       deferred=tuple(data.get("deferred", ())), hidden_inputs=dict(data.get("hidden_inputs", {})),
                       format=data["format"], grader_version=data.get("grader_version", ""))
