"""The inverted fingerprint index: only pairs that share fingerprints are scored."""

from __future__ import annotations

import numpy as np

from grader.similarity.fingerprints import CellPrint, DocumentPrint
from grader.similarity.index import COMMON_FLOOR, candidate_pairs


def doc(name: str, *hashes: int) -> DocumentPrint:
    cell = CellPrint(0, "x", "x", 0, np.array([]), {h: (n,) for n, h in enumerate(hashes)}, len(hashes))
    return DocumentPrint(name, (cell,), frozenset(hashes), len(hashes))


def test_only_pairs_sharing_a_fingerprint_are_candidates():
    docs = [doc("a", 1, 2), doc("b", 2, 3), doc("c", 4), doc("d", 5, 1)]
    assert candidate_pairs(docs, 0.5).pairs == {(0, 1), (0, 3)}


def test_what_most_of_a_large_class_writes_is_common_and_forms_no_pair():
    docs = [doc(f"s{n}", 7, 100 + n) for n in range(20)] + [doc("x", 8, 9), doc("y", 8, 9)]
    found = candidate_pairs(docs, 0.5)
    assert found.common == {7}
    assert found.pairs == {(20, 21)}


def test_a_small_class_has_no_common_fingerprints():
    docs = [doc(f"s{n}", 7) for n in range(COMMON_FLOOR)]
    found = candidate_pairs(docs, 0.5)
    assert found.common == frozenset()
    assert len(found.pairs) == COMMON_FLOOR * (COMMON_FLOOR - 1) // 2
