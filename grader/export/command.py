"""``grader export OUT --format F``: a run's results in an LMS's or a CI's format, from OUT alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.errors import UsageError
from grader.messages import Catalogue, load_catalogue
from grader.export import ExportOptions, ExportOutcome, get_exporter
from grader.results import load_results


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    outcome: ExportOutcome

    @property
    def exit_code(self) -> int:
        return 0  # the file is written; unmatched submissions are listed in it and on stderr


def announce(fmt: str, path: Path, outcome: ExportOutcome, from_roster: bool, t: Catalogue) -> None:
    """What was written, and every submission no roster student matched, in ``t``'s language."""
    if from_roster:
        console.out(t("cli.export.done", format=fmt, written=outcome.written, file=str(path),
                              without=outcome.without_submission))
    else:
        console.out(t("cli.export.written", format=fmt, count=outcome.written, file=str(path)))
    if outcome.unmatched:
        console.err(t("cli.export.unmatched", count=len(outcome.unmatched)))
        for item in outcome.unmatched:
            console.err(t("cli.export.unmatched_line", submission=item.submission,
                          why=t(f"export.unmatched.{item.reason}")))
    for warning in outcome.warnings:
        key, params = (warning, {}) if isinstance(warning, str) else warning
        console.err(t(key, **params))


def export(*, out: Path, format: str, output: Path | None = None, roster: Path | None = None,
           column: str | None = None, lang: str | None = None) -> ExportSummary:
    """Write ``OUT/results.json`` as ``format`` to ``output`` (default: OUT/<the format's file name>)."""
    exporter = get_exporter(format)
    if exporter.needs_roster and roster is None:
        raise UsageError(f"--format {format} starts from the file the LMS exported: give --roster FILE",
                         "usage.roster_required", format=format)
    if roster is not None and not Path(roster).is_file():
        raise UsageError(f"roster '{roster}' not found", "usage.roster_missing", file=str(roster))
    results = load_results(Path(out))
    lang = lang or results.lang
    catalogue = load_catalogue(lang)
    path = Path(output) if output else Path(out) / exporter.filename
    try:
        outcome = exporter(results, path, ExportOptions(roster=roster, column=column, lang=lang))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", "usage.export_unwritable", file=str(path),
                         reason=exc.strerror or str(exc)) from None
    announce(format, path, outcome, exporter.needs_roster, catalogue)
    return ExportSummary(path, outcome)
