"""Exports of a run's results for gradebooks: built-ins and ``grader.exporters`` plugins.

An exporter is a function ``(results, path) -> None`` that writes one file, or, when it says
``takes_options``, ``(results, path, options) -> ExportOutcome`` (a roster to start from, a
column, a language); new formats register beside these here or through the entry-point group.
"""

from __future__ import annotations

import importlib.metadata
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.errors import UsageError
from grader.export.canvas import write_canvas_csv
from grader.export.csv import write_grades_csv
from grader.export.junit import write_junit_xml
from grader.export.moodle import write_moodle_worksheet
from grader.export.options import ExportOptions, ExportOutcome
from grader.results import RunResults

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "grader.exporters"
ExportFunction = Callable[..., "ExportOutcome | None"]


@dataclass(frozen=True)
class Exporter:
    """A named export format: the function that writes it and its usual file name."""

    name: str
    function: ExportFunction
    filename: str
    description: str = ""
    takes_options: bool = False  # called with an ExportOptions as third argument
    needs_roster: bool = False  # starts from the LMS's own file (--roster)

    def __call__(self, results: RunResults, path: Path, options: ExportOptions | None = None) -> ExportOutcome:
        if self.takes_options:
            return self.function(results, Path(path), options or ExportOptions()) or ExportOutcome()
        self.function(results, Path(path))
        return ExportOutcome(written=len(results.submissions))


BUILTIN_EXPORTERS: dict[str, Exporter] = {
    "csv": Exporter("csv", write_grades_csv, "grades.csv", "one row per submission, one column per section"),
    "canvas": Exporter("canvas", write_canvas_csv, "canvas-import.csv", "Canvas gradebook import, from its export",
                       takes_options=True, needs_roster=True),
    "moodle": Exporter("moodle", write_moodle_worksheet, "moodle-worksheet.csv",
                       "Moodle assignment offline grading worksheet, from its download", takes_options=True,
                       needs_roster=True),
    "junit": Exporter("junit", write_junit_xml, "junit.xml", "JUnit XML: a test suite per submission, a case per check",
                      takes_options=True),
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
        raise UsageError(f"unknown export format '{name}': use one of {', '.join(sorted(exporters))}",
                         "usage.export_format", format=name, known=", ".join(sorted(exporters)))
    return exporters[name]


__all__ = ["BUILTIN_EXPORTERS", "ExportOptions", "ExportOutcome", "Exporter", "available_exporters", "get_exporter",
           "write_grades_csv"]
