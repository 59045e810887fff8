"""Find assignments by id or path, and load them with their check registry."""

from __future__ import annotations

from pathlib import Path

from grader.checks.base import Registry, default_registry
from grader.errors import UsageError
from grader.spec import Assignment, load_assignment

SPEC_NAME = "assignment.toml"


def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def default_assignments_dir() -> Path:
    return project_root() / "assignments"


def find_spec(name: str, assignments_dir: Path) -> Path:
    """``name`` is an assignment id, a folder holding ``assignment.toml``, or the file itself."""
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    if (candidate / SPEC_NAME).is_file():
        return candidate / SPEC_NAME
    spec = Path(assignments_dir) / name / SPEC_NAME
    if spec.is_file():
        return spec
    known = ", ".join(a.name for a in sorted(Path(assignments_dir).glob("*")) if (a / SPEC_NAME).is_file())
    raise UsageError(f"assignment '{name}' not found in {assignments_dir} (known: {known or 'none'})",
                     "usage.assignment_not_found", name=name, folder=str(assignments_dir), known=known or "—")


def load(name: str, assignments_dir: Path | None = None) -> tuple[Assignment, Registry]:
    """The parsed assignment and the check kinds it may use (its own ``checks.py`` included)."""
    spec = find_spec(name, assignments_dir or default_assignments_dir())
    registry = default_registry(spec.parent)
    return load_assignment(spec, registry), registry


def list_all(assignments_dir: Path | None = None) -> list[Assignment]:
    folder = Path(assignments_dir or default_assignments_dir())
    return [load(str(spec.parent))[0] for spec in sorted(folder.glob(f"*/{SPEC_NAME}"))]
