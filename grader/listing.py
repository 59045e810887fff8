"""Console summaries: ``grader assignments`` and the end-of-run summary."""

from __future__ import annotations

from pathlib import Path

from grader import console
from grader.assignments import list_all
from grader.messages import load_catalogue
from grader.run import ExitCode, RunSummary


def list_assignments(*, assignments_dir: Path | None = None) -> ExitCode:
    """Print every assignment with its sections, checks and points."""
    found = list_all(assignments_dir)
    if not found:
        console.err("no assignments found")
        return ExitCode.CONFIG
    for assignment in found:
        console.out(f"{assignment.id}: {assignment.title} ({assignment.max_score:g} points)")
        for section, max_score in assignment.section_max_scores():
            bonus = " [bonus]" if section.bonus else ""
            kinds = ", ".join(c.kind for c in assignment.checks_of(section.id))
            console.out(f"  {section.id:<20} {max_score:>5g} pts{bonus}  {section.title}  ({kinds})")
    return ExitCode.OK


def print_run_summary(summary: RunSummary, lang: str) -> None:
    cat = load_catalogue(lang)
    results = summary.results
    subs = results.submissions
    errors = sum(1 for s in subs if s.status == "error")
    reviews = sum(s.count("review") for s in subs)
    console.out(cat("cli.run.done", count=len(subs), errors=errors, reviews=reviews))
    if results.isolation:
        console.out(cat(f"cli.run.isolation_{results.isolation['level']}", reason=results.isolation.get("reason", "")))
    for sub in subs:
        note = f"  ({cat('cli.run.error')}: {sub.error})" if sub.status == "error" else ""
        console.out(f"  {sub.id:<32} {cat.number(sub.score)} / {cat.number(sub.max_score)}{note}")
    console.out(cat("cli.run.outputs", index=str(summary.out / "index.html"), results=str(summary.out / "results.json"),
                    csv=str(summary.out / "grades.csv")))
