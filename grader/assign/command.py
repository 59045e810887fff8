"""``grader assign MASTER -o DIR``: write the handout, the reference and a starting spec.

Where the notebooks go: the paths of ``DIR/assignment.toml`` when it exists (so that
re-running on a course master rewrites exactly the files the spec grades with), otherwise
``DIR/<id>.ipynb`` and ``--reference`` (default: ``reference/<id>.ipynb`` of the project when
DIR is in an ``assignments/`` folder, else ``DIR/reference/<id>.ipynb``). An existing
``assignment.toml`` is never replaced without ``force``: the starting spec goes next to it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import console
from grader.messages import Catalogue
from grader.assign.master import MasterProblem, split_master
from grader.assign.starter import assignment_title, draft_sections, render_starter
from grader.assignments import SPEC_NAME
from grader.errors import NotebookError, UsageError
from grader.notebook import load_notebook

NEW_SPEC_NAME = "assignment.new.toml"


@dataclass(frozen=True)
class AssignResult:
    """What ``grader assign`` wrote."""

    handout: Path
    reference: Path
    spec: Path
    spec_kept: Path | None  # the existing assignment.toml left unchanged, if any
    sections: tuple[str, ...]
    cells: int
    solution_cells: int
    reference_only: int


@dataclass(frozen=True)
class _Target:
    assignment_id: str
    notebook: str  # relative to DIR, as the spec says
    reference: str
    spec_exists: bool


def _read_master(master: Path) -> nbformat.NotebookNode:
    if not master.is_file():
        raise UsageError(f"master notebook '{master}' not found", "usage.assign.master_missing", master=str(master))
    try:
        return load_notebook(master)
    except NotebookError as exc:
        raise UsageError(f"'{master}' cannot be read: {exc}", "usage.assign.master_invalid", master=str(master),
                         reason=str(exc)) from None


def _existing_spec(path: Path) -> dict:
    try:
        head = tomllib.loads(path.read_text(encoding="utf-8")).get("assignment", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}", "usage.assign.spec_unreadable", file=str(path),
                         reason=str(exc)) from None
    if not isinstance(head, dict) or not isinstance(head.get("id"), str):
        raise UsageError(f"{path}: [assignment] has no id", "usage.assign.spec_unreadable", file=str(path),
                         reason="[assignment] id")
    return head


def _default_id(master: Path) -> str:
    stem = master.stem
    return stem[: -len(".master")] if stem.endswith(".master") else stem


def _target(master: Path, out: Path, assignment_id: str | None, reference: Path | None) -> _Target:
    spec = out / SPEC_NAME
    if spec.is_file():
        head = _existing_spec(spec)
        aid = head["id"]
        if assignment_id and assignment_id != aid:
            raise UsageError(f"--id {assignment_id} differs from the id '{aid}' in {spec}", "usage.assign.id_conflict",
                             given=assignment_id, id=aid, file=str(spec))
        if reference is not None:
            raise UsageError(f"{spec} already says where the reference goes", "usage.assign.reference_conflict",
                             file=str(spec))
        return _Target(aid, head.get("notebook", f"{aid}.ipynb"), head.get("reference", f"../../reference/{aid}.ipynb"),
                       True)
    aid = assignment_id or _default_id(master)
    if reference is not None:
        relative = os.path.relpath(Path(reference).resolve(), out.resolve())
    elif out.resolve().parent.name == "assignments":
        relative = f"../../reference/{aid}.ipynb"
    else:
        relative = f"reference/{aid}.ipynb"
    return _Target(aid, f"{aid}.ipynb", Path(relative).as_posix(), False)


def _problem(master: Path, problem: MasterProblem) -> UsageError:
    return UsageError(f"{master}: {problem}", problem.key, master=str(master), cell=problem.cell,
                      cell_id=problem.cell_id, line=problem.line, marker=problem.marker)


def assign(*, master: Path, out: Path, force: bool = False, assignment_id: str | None = None,
           reference: Path | None = None) -> AssignResult:
    """Split ``master`` into the handout and the reference in ``out``; write a starting spec."""
    master, out = Path(master), Path(out)
    nb = _read_master(master)
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o '{out}' is a file", "usage.assign.out_is_file", out=str(out))
    target = _target(master, out, assignment_id, reference)
    try:
        authored = split_master(nb)
    except MasterProblem as problem:
        raise _problem(master, problem) from None
    handout_path, reference_path = out / target.notebook, (out / target.reference).resolve()
    for path in (handout_path, reference_path):
        if path.resolve() == master.resolve():
            raise UsageError(f"writing {path} would overwrite the master", "usage.assign.overwrites_master",
                             path=str(path), master=str(master))
    for path, notebook in ((handout_path, authored.handout), (reference_path, authored.reference)):
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
    sections = draft_sections(authored.reference, set(authored.solution_cells))
    starter = render_starter(assignment_id=target.assignment_id, title=assignment_title(nb, target.assignment_id),
                             notebook=target.notebook, reference=target.reference, sections=sections,
                             master=master.name)
    keep = target.spec_exists and not force
    spec_path = out / (NEW_SPEC_NAME if keep else SPEC_NAME)
    spec_path.write_text(starter, encoding="utf-8")
    return AssignResult(handout_path, reference_path, spec_path, out / SPEC_NAME if keep else None,
                        tuple(s.id for s in sections), len(authored.handout.cells), len(authored.solution_cells),
                        len(authored.reference_only))


def print_summary(result: AssignResult, t: Catalogue) -> None:
    """What ``grader assign`` wrote, in ``t``'s language."""
    out = console.out
    out(t("cli.assign.handout", path=str(result.handout), cells=result.cells, solutions=result.solution_cells))
    out(t("cli.assign.reference", path=str(result.reference), extra=result.reference_only))
    if result.spec_kept:
        out(t("cli.assign.spec_kept", existing=str(result.spec_kept), path=str(result.spec)))
    else:
        out(t("cli.assign.spec_written", path=str(result.spec), count=len(result.sections),
              sections=", ".join(result.sections)))
