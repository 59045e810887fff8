"""A master notebook split into the handout and the reference solution (pure: no files).

Every cell keeps its id in both notebooks, so a student's copy of the handout shares its
ids with the reference. Code cells are split at their markers (:mod:`grader.assign.regions`);
a cell tagged ``solução`` (or ``solucao``) is the solution as a whole: the handout gets the
placeholder (``**Sua resposta aqui:**`` for a written answer). A code cell that is nothing but
a ``NO PROMPT`` region exists in the reference only. Outputs are cleared; cells keep only
their tags (``solução`` removed) and the ``editable``/``deletable`` flags.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

from grader.assign.regions import CODE_PLACEHOLDER, LOOKALIKE, MARKER, MarkerProblem, split_code
from grader.notebook import normalize_text

ANSWER_PLACEHOLDER = "**Sua resposta aqui:**"
SOLUTION_TAG = "solucao"  # compared without accents or case: solução, Solução, solucao
KEPT_CELL_METADATA = ("editable", "deletable")
DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class MasterProblem(Exception):
    """A master cell cannot be split; ``key`` names the catalogue message."""

    def __init__(self, key: str, *, cell: int, cell_id: str = "", line: int = 0, marker: str = "") -> None:
        super().__init__(f"cell {cell} ({cell_id}), line {line}: {key} {marker}".strip())
        self.key, self.cell, self.cell_id, self.line, self.marker = key, cell, cell_id, line, marker


@dataclass(frozen=True)
class Authored:
    """The two notebooks written from one master, and what was taken out of the handout."""

    handout: nbformat.NotebookNode
    reference: nbformat.NotebookNode
    solution_cells: tuple[str, ...]  # ids of the cells holding a solution (region or tag)
    reference_only: tuple[str, ...]  # ids of the cells left out of the handout


def is_solution_tag(tag: object) -> bool:
    if not isinstance(tag, str):
        return False
    return normalize_text(tag) == SOLUTION_TAG


def _has_markers(source: str) -> bool:
    return any(MARKER.fullmatch(line) or (line.lstrip().startswith("#") and LOOKALIKE.search(line))
               for line in source.split("\n"))


def _clean(cell, source: str, tags: list[str]) -> nbformat.NotebookNode:
    """A copy of ``cell`` with ``source``, no outputs, and only the metadata a handout keeps."""
    metadata = {key: cell.metadata[key] for key in KEPT_CELL_METADATA if key in cell.metadata}
    if tags:
        metadata["tags"] = tags
    clean = {"id": cell.id, "cell_type": cell.cell_type, "metadata": metadata, "source": source}
    if cell.cell_type == "code":
        clean.update(outputs=[], execution_count=None)
    elif "attachments" in cell:
        clean["attachments"] = cell.attachments
    return nbformat.from_dict(clean)


def _split_cell(cell, number: int) -> tuple[str | None, str, bool]:
    """(handout source or None when the cell is the reference's only, reference source, holds a solution)."""
    tags = cell.metadata.get("tags", [])
    tagged = any(is_solution_tag(tag) for tag in tags)
    if tagged and _has_markers(cell.source):
        raise MasterProblem("usage.assign.tag_and_markers", cell=number, cell_id=cell.id)
    if tagged:
        placeholder = {"code": CODE_PLACEHOLDER, "markdown": ANSWER_PLACEHOLDER}.get(cell.cell_type, "")
        return placeholder, cell.source, True
    if cell.cell_type != "code":
        if cell.cell_type == "markdown" and _has_markers(cell.source):
            raise MasterProblem("usage.assign.markers_in_markdown", cell=number, cell_id=cell.id)
        return cell.source, cell.source, False
    try:
        split = split_code(cell.source)
    except MarkerProblem as problem:
        raise MasterProblem(problem.key, cell=number, cell_id=cell.id, line=problem.line,
                            marker=problem.marker) from None
    only_reference = split.regions > 0 and not split.prompted and not split.handout.strip()
    return (None if only_reference else split.handout), split.reference, split.regions > 0


def _check_ids(master) -> None:
    seen: set[str] = set()
    for number, cell in enumerate(master.cells, start=1):
        cell_id = cell.get("id")
        if not cell_id:
            raise MasterProblem("usage.assign.no_cell_id", cell=number)
        if cell_id in seen:
            raise MasterProblem("usage.assign.duplicate_id", cell=number, cell_id=cell_id)
        seen.add(cell_id)


def _notebook(cells: list, metadata: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata=metadata)
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def split_master(master: nbformat.NotebookNode) -> Authored:
    """The handout and the reference of ``master``; raise :class:`MasterProblem` on bad markers."""
    _check_ids(master)
    handout, reference, solutions, only_reference = [], [], [], []
    for number, cell in enumerate(master.cells, start=1):
        student, solution, holds = _split_cell(cell, number)
        tags = [tag for tag in cell.metadata.get("tags", []) if not is_solution_tag(tag)]
        if holds:
            solutions.append(cell.id)
        if student is None:
            only_reference.append(cell.id)
        else:
            handout.append(_clean(cell, student, tags))
        reference.append(_clean(cell, solution, tags))
    if not solutions:
        raise MasterProblem("usage.assign.no_solutions", cell=0)
    metadata = {"kernelspec": dict(master.metadata.get("kernelspec") or DEFAULT_KERNELSPEC),
                "language_info": {"name": master.metadata.get("language_info", {}).get("name", "python")}}
    return Authored(_notebook(handout, metadata), _notebook(reference, dict(metadata)),
                    tuple(solutions), tuple(only_reference))
