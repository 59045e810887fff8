"""Exports of a run's results for gradebooks: built-ins and ``grader.exporters`` plugins.

An exporter is a function ``(results, path) -> None`` that writes one file; new formats
(Gradescope JSON, JUnit XML) register beside CSV here or through the entry-point group.
"""

from __future__ import annotations

import importlib.metadata
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.errors import UsageError
from grader.export.csv import write_grades_csv
from grader.results import RunResults

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "grader.exporters"
ExportFunction = Callable[[RunResults, Path], None]


@dataclass(frozen=True)
class Exporter:
    """A named export format: the function that writes it and its usual file name."""

    name: str
    function: ExportFunction
    filename: str
    description: str = ""

    def __call__(self, results: RunResults, path: Path) -> None:
        self.function(results, Path(path))


BUILTIN_EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter("csv", write_grades_csv, "grades.csv", "one row per submission, one column per section"),
}


def available_exporters() -> dict[str, Exporter]:
    """Built-in exporters plus installed plugins; a plugin that fails to load is a warning."""
    exporters = dict(BUILTIN_EXPORTERS)
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            exporter = entry.load()
        except Exception as exc:  # a broken plugin must not stop the export
            log.warning("exporter plugin %s could not be loaded: %s", entry.name, exc)
            continue
        if not isinstance(exporter, Exporter):
            log.warning("exporter plugin %s is not a grader.export.Exporter; ignored", entry.name)
            continue
        exporters.setdefault(exporter.name, exporter)
    return exporters


def get_exporter(name: str) -> Exporter:
    """The exporter called ``name``; an unknown name is a usage error listing the known ones."""
    exporters = available_exporters()
    if name not in exporters:
        raise UsageError(f"unknown export format '{name}': use one of {', '.join(sorted(exporters))}")
    return exporters[name]


__all__ = ["BUILTIN_EXPORTERS", "Exporter", "available_exporters", "get_exporter", "write_grades_csv"]
