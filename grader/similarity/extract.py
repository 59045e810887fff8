"""What a student wrote in a notebook: their own code and their own written answers.

The handout's part never counts. Code: magics and shell lines (``%``, ``!``) are dropped,
a cell whose id and code are the handout's is dropped whole, then every line that stands
in some handout code cell (placeholders, given imports, given scaffolding). Text: markdown,
raw and ``resposta:`` cells, with every line of the handout's prose and the "Sua resposta
aqui" marker removed (:func:`grader.notebook.own_text`, as the written-answer checks read it).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.notebook import ANSWER_TAG, code_signature, handout_lines, own_text
from grader.serial import JsonData

# cell magics whose body is still Python; any other (%%bash, %%html, %%writefile) is not
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")
PROSE = ("markdown", "raw")


@dataclass(frozen=True)
class OwnCell(JsonData):
    """What the student wrote in one cell: its notebook index and the runs of kept lines.

    Each run is fingerprinted apart, so no fingerprint spans a handout line that was removed
    (a run of the handout's own lines, renamed, is then all handout k-grams and counts for nothing).
    """

    index: int
    pieces: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.pieces)

    def spans(self) -> list[tuple[int, str]]:
        """Each piece with where it starts in :attr:`text`."""
        found, at = [], 0
        for piece in self.pieces:
            found.append((at, piece))
            at += len(piece) + 1
        return found


@dataclass(frozen=True)
class OwnWork(JsonData):
    """A submission's own code and own written answers, cell by cell."""

    submission: str
    code: tuple[OwnCell, ...]
    text: tuple[OwnCell, ...]


@dataclass(frozen=True)
class Handout:
    """What the handout gives: its code cells by id and every line of its code and prose."""

    cells: dict[str, str]
    code_lines: frozenset[str]
    prose_lines: frozenset[str]
    code: tuple[str, ...]  # the handout's code cells, for the fingerprints that stand in them
    prose: tuple[str, ...]  # its markdown and raw cells, likewise

    @classmethod
    def of(cls, notebook) -> "Handout":
        code_cells = [c for c in notebook.cells if c.cell_type == "code"]
        return cls(
            cells={c.get("id"): code_signature(c.source) for c in code_cells if c.get("id")},
            code_lines=frozenset(line.strip() for c in code_cells for line in c.source.splitlines() if line.strip()),
            prose_lines=frozenset(handout_lines(notebook)),
            code=tuple(c.source for c in code_cells),
            prose=tuple(c.source for c in notebook.cells if c.cell_type in PROSE),
        )


def _python_lines(source: str) -> list[str]:
    """The cell's lines without IPython's magics and shell escapes; none for a non-Python cell magic."""
    lines = source.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%") and first.split()[0] not in PYTHON_CELL_MAGICS:
        return []
    return [line for line in lines if not line.strip().startswith(("%", "!"))]


def own_code(source: str, handout: Handout) -> tuple[str, ...]:
    """The runs of lines of one code cell the student wrote: magics and lines that stand in the handout removed."""
    runs: list[list[str]] = [[]]
    for line in _python_lines(source):
        if line.strip() in handout.code_lines:
            runs.append([])
        elif line.strip():
            runs[-1].append(line)
    return tuple("\n".join(run) for run in runs if run)


def _is_answer(cell) -> bool:
    return any(isinstance(t, str) and t.startswith(ANSWER_TAG) for t in cell.get("metadata", {}).get("tags", []))


def extract_work(submission: str, notebook, handout: Handout) -> OwnWork:
    """The student's own code and written answers of ``notebook``, the handout's part removed."""
    code, text = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type in PROSE or _is_answer(cell):
            kept = own_text(cell.source, handout.prose_lines)
            if kept:
                text.append(OwnCell(index, (kept,)))
        elif cell.cell_type == "code":
            if cell.get("id") in handout.cells and handout.cells[cell.get("id")] == code_signature(cell.source):
                continue  # the handout's cell, untouched
            pieces = own_code(cell.source, handout)
            if pieces:
                code.append(OwnCell(index, pieces))
    return OwnWork(submission, tuple(code), tuple(text))
