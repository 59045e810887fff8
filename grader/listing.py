"""``grader assignments``: every assignment with its sections, checks and points."""

from __future__ import annotations

from pathlib import Path

from grader import console
from grader.assignments import list_all
from grader.inspect.base import inspector_for
from grader.errors import ExitCode
from grader.messages import load_catalogue


def list_assignments(*, assignments_dir: Path | None = None, lang: str = "pt") -> ExitCode:
    """Print every assignment with its sections, checks and points, in ``lang``."""
    t = load_catalogue(lang)
    found = list_all(assignments_dir)
    if not found:
        console.err(t("cli.list.none"))
        return ExitCode.CONFIG
    for assignment in found:
        console.out(t("cli.list.assignment_one" if assignment.max_score == 1 else "cli.list.assignment",
                      id=assignment.id, title=assignment.title, points=t.number(float(assignment.max_score), "g")))
        for extra in missing_extras(assignment.requires):
            console.out(t("cli.list.unavailable", extra=extra, command=f"pip install -e '.[{extra}]'"))
        for section, max_score in assignment.section_max_scores():
            kinds = ", ".join(c.kind for c in assignment.checks_of(section.id))
            console.out(t("cli.list.section", id=section.id, points=t.number(float(max_score), "g"),
                          bonus=t("cli.list.bonus") if section.bonus else "", title=section.title, kinds=kinds))
    return ExitCode.OK


def missing_extras(requires: tuple[str, ...]) -> list[str]:
    """The extras of ``requires`` this installation lacks (an extra is known by its inspector, or its module)."""
    import importlib.util

    missing = []
    for extra in requires:
        inspector = inspector_for(extra)
        if inspector is not None:
            present = inspector.available()
        else:
            try:
                present = importlib.util.find_spec(extra) is not None
            except (ImportError, ValueError):
                present = False
        if not present:
            missing.append(extra)
    return missing
