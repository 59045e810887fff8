"""``grader assignments``: every assignment with its sections, checks and points."""

from __future__ import annotations

from pathlib import Path

from grader import console
from grader.assignments import list_all
from grader.run import ExitCode


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
