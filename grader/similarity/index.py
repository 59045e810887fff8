"""An inverted fingerprint index: which submissions hold each fingerprint.

Only pairs that share a fingerprint are ever scored, so a class of 1,000 whose copies
are few compares a few pairs, not 500,000. A fingerprint that more than ``common_share``
of the class holds (and more than :data:`COMMON_FLOOR` submissions) is what everyone
writes for this exercise, not a copy: it is ignored, and pairs are not formed from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

from grader.similarity.fingerprints import DocumentPrint

COMMON_FLOOR = 5  # a fingerprint held by this many submissions or fewer is never "common"


@dataclass(frozen=True)
class Candidates:
    """Pairs of document indices that share at least one fingerprint that is not common."""

    pairs: frozenset[tuple[int, int]]
    common: frozenset[int]


def candidate_pairs(documents: Sequence[DocumentPrint], common_share: float) -> Candidates:
    """The pairs worth scoring, found through each fingerprint's posting list."""
    postings: dict[int, list[int]] = {}
    for n, doc in enumerate(documents):
        for fingerprint in doc.hashes:
            postings.setdefault(fingerprint, []).append(n)
    limit = max(COMMON_FLOOR, common_share * len(documents))
    common = frozenset(h for h, holders in postings.items() if len(holders) > limit)
    pairs: set[tuple[int, int]] = set()
    for fingerprint, holders in postings.items():
        if 1 < len(holders) <= limit:
            pairs.update(combinations(holders, 2))
    return Candidates(frozenset(pairs), common)
