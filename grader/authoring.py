"""Building assignment notebooks from code: stable cell ids, answer tags, filled copies.

Assignment generators (``assignments/<id>/build_notebooks.py``) describe the student
notebook once as a tuple of :class:`CellSpec` and derive the reference solution and the
example submissions by filling some cells, so every copy shares cell ids with the
template the way a student's copy shares them with the file they downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from textwrap import dedent
from typing import Callable, Mapping, Sequence

import nbformat
from nbformat import v4


@dataclass(frozen=True)
class CellSpec:
    """One cell of a generated notebook: a stable id, its type, its source and tags."""

    id: str
    kind: str  # "markdown" or "code"
    source: str
    tags: tuple[str, ...] = ()


def md(cell_id: str, text: str, *tags: str) -> CellSpec:
    return CellSpec(cell_id, "markdown", dedent(text).strip("\n"), tuple(tags))


def code(cell_id: str, text: str) -> CellSpec:
    return CellSpec(cell_id, "code", dedent(text).strip("\n"))


def fill(template: Sequence[CellSpec], fills: Mapping[str, str | tuple[str, ...]]) -> list[CellSpec]:
    """The template with the sources of some cells replaced.

    A tuple value replaces the cell with its first item and inserts the others after it,
    as new cells of the same type (the way a student adds cells inside a section).
    """
    known = {cell.id for cell in template}
    unknown = sorted(set(fills) - known)
    if unknown:
        raise KeyError(f"no template cell with id {unknown[0]!r}")
    cells: list[CellSpec] = []
    for cell in template:
        value = fills.get(cell.id)
        if value is None:
            cells.append(cell)
            continue
        sources = (value,) if isinstance(value, str) else value
        cells.append(replace(cell, source=dedent(sources[0]).strip("\n")))
        for n, extra in enumerate(sources[1:], start=1):
            cells.append(CellSpec(f"{cell.id}-{n}", cell.kind, dedent(extra).strip("\n")))
    return cells


def to_notebook(cells: Sequence[CellSpec]) -> nbformat.NotebookNode:
    """An nbformat 4.5 notebook without outputs, with the cells' ids and tags."""
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    for spec in cells:
        metadata = {"tags": list(spec.tags)} if spec.tags else {}
        make = v4.new_markdown_cell if spec.kind == "markdown" else v4.new_code_cell
        nb.cells.append(make(source=spec.source, id=spec.id, metadata=metadata))
    nbformat.validate(nb)
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    print(f"wrote {path}")


def write_assignment(template: Sequence[CellSpec], reference_fills: Mapping[str, str | tuple[str, ...]],
                     examples: Mapping[str, Callable[[], Mapping[str, str | tuple[str, ...]]]], *,
                     template_file: Path, reference_file: Path, examples_dir: Path) -> None:
    """Write the student notebook, the reference and each example (``stem -> fills()``)."""
    write(to_notebook(list(template)), template_file)
    write(to_notebook(fill(template, reference_fills)), reference_file)
    for stem, fills in examples.items():
        write(to_notebook(fill(template, fills())), examples_dir / f"{stem}.ipynb")
