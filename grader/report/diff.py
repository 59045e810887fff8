"""Layer-by-layer tables of a check (structure diff, output shapes), in words a student acts on.

With ``reveal`` (the check's spec reveals its expected value, or the instructor's view) the
reference's layers are shown and named; without it a row says which of the student's layers
differs and in which attributes, never the reference's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from grader.report.common import Formatter

_ROW_TONES = {
    "ok": "ok", "match": "ok", "equal": "ok", "passed": "ok",
    "differs": "warn", "equivalent": "warn", "alternative": "warn", "partial": "warn",
}
_DIFFERENCE = re.compile(r"^(?P<attribute>\w+): (?P<expected>.*) ≠ (?P<actual>.*)$")


@dataclass(frozen=True)
class DiffRow:
    reference: str | None  # None when the reference may not be shown
    student: str
    status: str
    status_label: str
    tone: str
    advice: str


@dataclass(frozen=True)
class ShapeRow:
    layer: str
    expected: str | None  # None when the expected shape may not be shown
    actual: str
    status_label: str
    tone: str


def row_list(details: Any, *keys: str) -> list[Mapping[str, Any]]:
    """The first list of row mappings found under one of ``keys`` of a check's details."""
    if not isinstance(details, Mapping):
        return []
    for key in keys:
        rows = details.get(key)
        if isinstance(rows, (list, tuple)):
            return [row for row in rows if isinstance(row, Mapping)]
    return []


def _class_of(row: Mapping[str, Any], side: str) -> str:
    """The layer class of one side of a row (``Conv2D`` of ``Conv2D(6, 5×5)``)."""
    name = row.get(f"{side}_class")
    if isinstance(name, str) and name:
        return name
    value = row.get(side)
    if isinstance(value, Mapping):
        return str(value.get("class_name") or value.get("class") or "")
    return str(value or "").split("(")[0]


def _changes(row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(attribute, expected, actual)`` from the row's ``changes``, or parsed from its ``differences``."""
    changes = row.get("changes")
    if isinstance(changes, list):
        return [(str(c.get("attribute")), str(c.get("expected")), str(c.get("actual")))
                for c in changes if isinstance(c, Mapping)]
    differences = row.get("differences") or ()
    found = [_DIFFERENCE.match(str(d)) for d in ([differences] if isinstance(differences, str) else differences)]
    return [(m["attribute"], m["expected"], m["actual"]) for m in found if m]


def _advice(row: Mapping[str, Any], status: str, ordinal: int, reveal: bool, fmt: Formatter) -> str:
    cat = fmt.cat
    student_class, reference_class = _class_of(row, "student"), _class_of(row, "reference")
    if status == "missing":
        if reveal:
            return cat("report.layer_missing_expected", layer=fmt.layer(row.get("reference")))
        return cat("report.layer_missing_verdict", class_name=reference_class)
    if status == "extra":
        return cat("report.layer_extra", ordinal=ordinal, class_name=student_class)
    changes = _changes(row)
    if status != "differs" or not changes:
        differences = row.get("differences")
        return str(differences) if isinstance(differences, str) and reveal else ""
    if not reveal:
        names = ", ".join(fmt.label("report.attribute", a) for a, _, _ in changes)
        return cat("report.layer_differs_verdict", ordinal=ordinal, class_name=student_class, attributes=names)
    parts = "; ".join(cat("report.layer_change", attribute=fmt.label("report.attribute", a), actual=got,
                          expected=want) for a, want, got in changes)
    return cat("report.layer_differs_expected", ordinal=ordinal, class_name=student_class, changes=parts)


def diff_rows(details: Any, fmt: Formatter, reveal: bool) -> tuple[DiffRow, ...]:
    """Rows of a structure diff (``rows`` or ``diff``), numbered by the student's own layers."""
    rows, seen = [], {}
    for row in row_list(details, "rows", "diff"):
        status = str(row.get("status", ""))
        ordinal = 0
        if row.get("student") is not None:
            name = _class_of(row, "student")
            ordinal = seen[name] = seen.get(name, 0) + 1
        rows.append(DiffRow(
            reference=fmt.layer(row.get("reference")) if reveal else None,
            student=fmt.layer(row.get("student")),
            status=status,
            status_label=fmt.label("report.row_status", status),
            tone=_ROW_TONES.get(status, "bad"),
            advice=_advice(row, status, ordinal, reveal, fmt),
        ))
    return tuple(rows)


def shape_rows(details: Any, fmt: Formatter, reveal: bool) -> tuple[ShapeRow, ...]:
    """Rows of a per-layer output-shape comparison (``layers``: layer, expected, actual, status)."""
    rows = []
    for row in row_list(details, "layers"):
        if "expected" not in row or "actual" not in row:
            continue
        status = str(row.get("status", ""))
        layer = fmt.layer(row.get("layer"))
        if status == "missing" and not reveal:  # the row describes the reference's layer
            layer = fmt.cat("report.shape_row_missing", class_name=str(row.get("class") or layer.split("(")[0]))
        rows.append(ShapeRow(layer=layer, expected=fmt.shape(row.get("expected")) if reveal else None,
                             actual=fmt.shape(row.get("actual")), status_label=fmt.label("report.row_status", status),
                             tone=_ROW_TONES.get(status, "bad")))
    return tuple(rows)
