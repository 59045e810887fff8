"""Compare every pair of a run's submissions that share fingerprints: code and written answers apart."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

from grader.similarity.extract import Handout, OwnWork
from grader.similarity.findings import CODE, TEXT, SimilarPair, StreamMatch
from grader.similarity.fingerprints import DocumentPrint, compare_documents, fingerprint_document, handout_hashes
from grader.similarity.index import candidate_pairs
from grader.similarity_settings import SimilaritySettings

# flagged pairs shown with their code; the others above the thresholds are listed by their numbers
DETAILED_PAIRS = 100


@dataclass(frozen=True)
class Stream:
    """One kind of material compared: its fingerprint sizes and the levels that flag a pair."""

    name: str
    code: bool
    k: int
    window: int
    threshold: float
    min_run: int  # the longest shared run must be this long: identical one-liners are not a copy

    def flags(self, match: StreamMatch | None) -> bool:
        return match is not None and match.share >= self.threshold and match.longest >= self.min_run


def streams(settings: SimilaritySettings) -> tuple[Stream, Stream]:
    return (Stream(CODE, True, settings.k, settings.window, settings.threshold, settings.min_run),
            Stream(TEXT, False, settings.text_k, settings.text_window, settings.text_threshold,
                   settings.text_min_run))


def _prints(works: Sequence[OwnWork], handout: Handout, stream: Stream) -> list[DocumentPrint]:
    sources = handout.code if stream.code else handout.prose
    boilerplate = handout_hashes(sources, stream.k, stream.code)
    return [fingerprint_document(w.submission, w.code if stream.code else w.text, k=stream.k,
                                 window=stream.window, code=stream.code, boilerplate=boilerplate) for w in works]


@dataclass(frozen=True, eq=False)
class _Scored:
    """One stream's fingerprints and the numbers of every pair that shares one."""

    stream: Stream
    prints: list[DocumentPrint]
    common: frozenset[int]
    numbers: dict[tuple[int, int], StreamMatch]

    def detailed(self, i: int, j: int) -> StreamMatch | None:
        """The pair's match with its shared passages, for the page."""
        return compare_documents(self.prints[i], self.prints[j], k=self.stream.k, ignored=self.common)


def _score(works: Sequence[OwnWork], handout: Handout, stream: Stream, common_share: float) -> _Scored:
    """The numbers of every pair that shares a fingerprint (by pair of indices into ``works``)."""
    prints = _prints(works, handout, stream)
    candidates = candidate_pairs(prints, common_share)
    numbers = {}
    for i, j in candidates.pairs:
        match = compare_documents(prints[i], prints[j], k=stream.k, ignored=candidates.common, detailed=False)
        if match is not None:
            numbers[(i, j)] = match
    return _Scored(stream, prints, candidates.common, numbers)


def compare_works(works: Sequence[OwnWork], handout: Handout, settings: SimilaritySettings) -> tuple[SimilarPair, ...]:
    """Every pair sharing code or text, flagged ones first, most similar first.

    The first :data:`DETAILED_PAIRS` flagged pairs keep their shared passages; every other pair
    keeps its numbers only (no code leaves the notebooks for them, and the page stays readable).
    """
    works = sorted(works, key=lambda w: w.submission)
    scored = {s.name: _score(works, handout, s, settings.common_share) for s in streams(settings)}
    pairs = []
    for i, j in sorted({pair for s in scored.values() for pair in s.numbers}):
        matches = {name: s.numbers.get((i, j)) for name, s in scored.items()}
        flagged = tuple(name for name, s in scored.items() if s.stream.flags(matches[name]))
        pairs.append(((i, j), SimilarPair(works[i].submission, works[j].submission, matches[CODE], matches[TEXT],
                                          flagged)))
    pairs.sort(key=lambda item: (not item[1].flagged, -item[1].score, item[1].a, item[1].b))
    return tuple(_with_passages(pair, scored, i, j) if n < DETAILED_PAIRS and pair.flagged else pair
                 for n, ((i, j), pair) in enumerate(pairs))


def _with_passages(pair: SimilarPair, scored: dict[str, _Scored], i: int, j: int) -> SimilarPair:
    """A flagged pair with the shared passages of the streams that flagged it."""
    passages = {name: (scored[name].detailed(i, j) if name in pair.flagged_by else getattr(pair, name))
                for name in (CODE, TEXT)}
    return dataclasses.replace(pair, code=passages[CODE], text=passages[TEXT])
