"""Compare every pair of a run's submissions that share fingerprints: code and written answers apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from grader.similarity.extract import Handout, OwnWork
from grader.similarity.findings import CODE, TEXT, SimilarPair, StreamMatch
from grader.similarity.fingerprints import DocumentPrint, compare_documents, fingerprint_document, handout_hashes
from grader.similarity.index import candidate_pairs
from grader.similarity.settings import SimilaritySettings

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


def _matches(works: Sequence[OwnWork], handout: Handout, stream: Stream,
             common_share: float) -> dict[tuple[int, int], StreamMatch]:
    """The stream's match of every pair that shares a fingerprint, by pair of indices into ``works``."""
    prints = _prints(works, handout, stream)
    candidates = candidate_pairs(prints, common_share)
    found = {}
    for i, j in candidates.pairs:
        match = compare_documents(prints[i], prints[j], k=stream.k, ignored=candidates.common)
        if match is not None:
            found[(i, j)] = match
    return found


def compare_works(works: Sequence[OwnWork], handout: Handout, settings: SimilaritySettings) -> tuple[SimilarPair, ...]:
    """Every pair sharing code or text, flagged ones first, most similar first.

    Pairs below both thresholds, and flagged pairs after the first :data:`DETAILED_PAIRS`,
    keep their numbers only (no code leaves the notebooks for them; the page stays readable).
    """
    works = sorted(works, key=lambda w: w.submission)
    code, text = streams(settings)
    by_stream = {s.name: _matches(works, handout, s, settings.common_share) for s in (code, text)}
    pairs = []
    for i, j in sorted(set(by_stream[CODE]) | set(by_stream[TEXT])):
        matches = {s.name: by_stream[s.name].get((i, j)) for s in (code, text)}
        flagged = tuple(s.name for s in (code, text) if s.flags(matches[s.name]))
        kept = {name: (m if name in flagged or m is None else m.summary()) for name, m in matches.items()}
        pairs.append(SimilarPair(works[i].submission, works[j].submission, kept[CODE], kept[TEXT], flagged))
    pairs.sort(key=lambda p: (not p.flagged, -p.score, p.a, p.b))
    return tuple(p if n < DETAILED_PAIRS else _numbers_only(p) for n, p in enumerate(pairs))


def _numbers_only(pair: SimilarPair) -> SimilarPair:
    return SimilarPair(pair.a, pair.b, pair.code and pair.code.summary(), pair.text and pair.text.summary(),
                       pair.flagged_by)
