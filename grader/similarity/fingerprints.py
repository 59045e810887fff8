"""Fingerprints of a student's own code and text, with copydetect, and the overlap of two.

Code is tokenized and filtered by copydetect (Pygments): names become ``V``/``F``/``O``,
strings ``S``, comments and white space vanish, so renamed variables and rewritten comments
leave the fingerprints as they were. Each cell is fingerprinted on its own (winnowed
k-grams never span two cells), so reordered cells match as well. Written answers are
fingerprinted on their characters, lowercased and without accents. Any k-gram that stands
in the handout is dropped: the handout's code never counts.

copydetect hashes k-grams with Python's ``hash()``, which changes from one process to the
next (``PYTHONHASHSEED``), so its shares would move by a few hundredths between two runs;
here each k-gram gets a BLAKE2 hash instead and copydetect's own winnowing picks among them,
so the same notebooks always give the same page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping

import numpy as np
from copydetect.utils import filter_code, get_copied_slices, get_token_coverage, winnow

from grader.similarity.extract import OwnCell
from grader.similarity.findings import Fragment, StreamMatch


@dataclass(frozen=True, eq=False)
class CellPrint:
    """The fingerprints of one run of a cell's own lines: each hash with its positions in the filtered run."""

    index: int  # the notebook cell
    source: str  # the run
    cell_text: str  # the cell's own text, for display
    start: int  # where the run starts in ``cell_text``
    offsets: np.ndarray  # copydetect's filtered -> raw offsets (empty when nothing was filtered)
    positions: Mapping[int, tuple[int, ...]]
    coverage: int  # filtered tokens that some fingerprint covers


@dataclass(frozen=True, eq=False)
class DocumentPrint:
    """A submission's fingerprints (of its code, or of its text)."""

    submission: str
    cells: tuple[CellPrint, ...]
    hashes: frozenset[int]
    coverage: int


def normalize_prose(text: str) -> str:
    """Lowercase, accents and white space folded, one character for one (highlights stay in place)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKD", ch.lower())[:1] or ch
        out.append(" " if folded.isspace() else folded)
    return "".join(out)


def _filtered(source: str, code: bool) -> tuple[str, np.ndarray]:
    if code:
        return filter_code(source, "cell.py", language="python")
    return normalize_prose(source), np.array([])


def kgram_hashes(text: str, k: int) -> np.ndarray:
    """A stable 64-bit hash of every k-gram of ``text`` (the same in every process)."""
    return np.array([int.from_bytes(hashlib.blake2b(text[i:i + k].encode(), digest_size=8).digest(), "little",
                                    signed=True) for i in range(len(text) - k + 1)], dtype=np.int64)


def winnowed(text: str, k: int, window: int) -> dict[int, tuple[int, ...]]:
    """copydetect's winnowing of the k-grams of ``text``: each chosen hash with its positions."""
    hashes = kgram_hashes(text, k)
    if len(hashes) == 0:
        return {}
    chosen, where = winnow(hashes, window, remove_duplicates=False)
    positions: dict[int, list[int]] = {}
    for h, at in zip(chosen.tolist(), where.tolist()):
        positions.setdefault(h, []).append(at)
    return {h: tuple(p) for h, p in positions.items()}


def handout_hashes(sources: Iterable[str], k: int, code: bool) -> frozenset[int]:
    """Every k-gram of the handout (not only its winnowed ones): none may count for a student."""
    found: set[int] = set()
    for source in sources:
        filtered, _ = _filtered(source, code)
        found.update(kgram_hashes(filtered, k).tolist())
    return frozenset(found)


def fingerprint_document(submission: str, cells: Iterable[OwnCell], *, k: int, window: int, code: bool,
                         boilerplate: frozenset[int] = frozenset()) -> DocumentPrint:
    """Winnowed fingerprints of each cell, the handout's (``boilerplate``) removed."""
    prints = []
    for cell in cells:
        for start, piece in cell.spans():
            filtered, offsets = _filtered(piece, code)
            kept = {h: where for h, where in winnowed(filtered, k, window).items() if h not in boilerplate}
            if kept:
                coverage = int(get_token_coverage(kept, k, len(filtered)))
                prints.append(CellPrint(cell.index, piece, cell.text, start, offsets, kept,
                                        coverage))
    hashes = frozenset(h for p in prints for h in p.positions)
    return DocumentPrint(submission, tuple(prints), hashes, sum(p.coverage for p in prints))


def _to_raw(slices: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Filtered positions -> positions in the cell's source (copydetect's ``compare_files`` mapping)."""
    if len(offsets) == 0:
        return slices
    return slices + offsets[:, 1][np.clip(np.searchsorted(offsets[:, 0], slices), 0, offsets.shape[0] - 1)]


@dataclass(frozen=True, eq=False)
class _Covered:
    """The shared stretches of one cell: filtered slices, raw slices, the shared hashes in it."""

    cell: CellPrint
    slices: np.ndarray  # 2 x N filtered [start, end)
    hashes: tuple[int, ...]

    @cached_property
    def raw(self) -> np.ndarray:
        """The slices in the run's source (only the pairs shown on the page need them)."""
        return _to_raw(self.slices, self.cell.offsets)

    def span(self, n: int) -> tuple[int, int]:
        """Slice ``n`` in the run's source, widened to whole words (a k-gram may start inside a name)."""
        source, start, end = self.cell.source, int(self.raw[0][n]), min(int(self.raw[1][n]), len(self.cell.source))
        while 0 < start < len(source) and _word(source[start - 1]) and _word(source[start]):
            start -= 1
        while 0 < end < len(source) and _word(source[end - 1]) and _word(source[end]):
            end += 1
        return start, end

    def marks(self) -> list[tuple[int, int]]:
        """The shared stretches as character ranges of the cell's own text."""
        at = self.cell.start
        return [(at + s, at + e) for s, e in map(self.span, range(self.slices.shape[1]))]

    def text(self, n: int) -> str:
        start, end = self.span(n)
        return self.cell.source[start:end]

    def hits(self, n: int, hashes: set[int], k: int) -> int:
        """How many of ``hashes`` start inside slice ``n``."""
        start, end = self.slices[0][n], self.slices[1][n]
        return sum(1 for h in hashes for p in self.cell.positions.get(h, ()) if start <= p <= end - k)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _covered(doc: DocumentPrint, shared: frozenset[int], k: int) -> list[_Covered]:
    found = []
    for cell in doc.cells:
        hit = tuple(h for h in cell.positions if h in shared)
        if hit:
            slices = get_copied_slices(np.array([p for h in hit for p in cell.positions[h]]), k)
            found.append(_Covered(cell, slices, hit))
    return found


def _fragments(covered: list[_Covered]) -> tuple[Fragment, ...]:
    """One fragment per cell, its runs' marks together."""
    cells: dict[int, tuple[str, list[tuple[int, int]]]] = {}
    for c in covered:
        cells.setdefault(c.cell.index, (c.cell.cell_text, []))[1].extend(c.marks())
    return tuple(Fragment(index, text, tuple(sorted(marks))) for index, (text, marks) in sorted(cells.items()))


def _tokens(covered: list[_Covered]) -> int:
    return int(sum(int(np.sum(c.slices[1] - c.slices[0])) for c in covered))


def _share(tokens: int, coverage: int) -> float:
    return round(min(1.0, tokens / coverage), 4) if coverage else 0.0


def compare_documents(a: DocumentPrint, b: DocumentPrint, *, k: int, ignored: frozenset[int] = frozenset(),
                      detailed: bool = True) -> StreamMatch | None:
    """What ``a`` and ``b`` share (``ignored`` fingerprints aside); ``None`` when nothing.

    ``detailed``: with the shared passages (for the page); otherwise the numbers only, faster.
    """
    shared = (a.hashes & b.hashes) - ignored
    if not shared:
        return None
    side_a, side_b = _covered(a, shared, k), _covered(b, shared, k)
    tokens_a, tokens_b = _tokens(side_a), _tokens(side_b)
    longest_a, longest_b = _longest(side_a), _longest(side_b)
    numbers = StreamMatch(share_a=_share(tokens_a, a.coverage), share_b=_share(tokens_b, b.coverage),
                          tokens_a=tokens_a, tokens_b=tokens_b, longest=max(longest_a[0], longest_b[0]))
    if not detailed:
        return numbers
    if longest_a[0] >= longest_b[0]:
        (text_a, cell_a), (text_b, cell_b) = _passage_and_counterpart(side_a, longest_a, side_b, k)
    else:
        (text_b, cell_b), (text_a, cell_a) = _passage_and_counterpart(side_b, longest_b, side_a, k)
    return dataclasses.replace(numbers, longest_a=text_a, longest_b=text_b, longest_cells=(cell_a, cell_b),
                               fragments_a=_fragments(side_a), fragments_b=_fragments(side_b))


def _longest(side: list[_Covered]) -> tuple[int, int, int]:
    """(length in tokens, which covered cell, which slice) of the side's longest shared run."""
    return max((int(c.slices[1][n] - c.slices[0][n]), i, n) for i, c in enumerate(side) for n in range(c.slices.shape[1]))


def _passage_and_counterpart(side: list[_Covered], longest: tuple[int, int, int], other: list[_Covered],
                             k: int) -> tuple[tuple[str, int], tuple[str, int]]:
    """The longest run's text and cell, and the other student's run holding most of its fingerprints."""
    _, i, n = longest
    covered = side[i]
    start, end = covered.slices[0][n], covered.slices[1][n]
    inside = {h for h in covered.hashes if any(start <= p <= end - k for p in covered.cell.positions[h])}
    _, j, m = max((c.hits(m, inside, k), -j, m) for j, c in enumerate(other) for m in range(c.slices.shape[1]))
    return (covered.text(n), covered.cell.index), (other[-j].text(m), other[-j].cell.index)
