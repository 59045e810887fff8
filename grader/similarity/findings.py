"""What a comparison of the run's submissions found: pairs, their shares and fragments.

Kept in ``OUT/similarity.json`` (never in ``results.json``: similarity is a signal for a
teacher, not part of any grade); the dashboard and the instructor's view read it from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from grader.report.common import Partner
from grader.serial import JsonData
from grader.similarity_settings import SimilaritySettings

CODE, TEXT = "code", "text"
PAGE = "similarity.html"


@dataclass(frozen=True)
class Fragment(JsonData):
    """One cell of a student's own code (or text) with the stretches the other student shares."""

    cell: int  # 0-based notebook cell index
    source: str
    marks: tuple[tuple[int, int], ...] = ()  # [start, end) character ranges in ``source``

    def pieces(self) -> list[tuple[str, bool]]:
        """``source`` cut at the marks: (text, shared) in order, for highlighting."""
        pieces, at = [], 0
        for start, end in self.marks:
            start, end = max(start, at), min(end, len(self.source))
            if start > at:
                pieces.append((self.source[at:start], False))
            if end > start:
                pieces.append((self.source[start:end], True))
            at = max(at, end)
        if at < len(self.source):
            pieces.append((self.source[at:], False))
        return pieces


@dataclass(frozen=True)
class StreamMatch(JsonData):
    """How much of two students' code (or written answers) is shared.

    ``share_a`` is the part of a's own code that b's covers (tokens of copydetect's
    filtered code; characters for text), ``longest`` the longest shared run in tokens.
    """

    share_a: float
    share_b: float
    tokens_a: int
    tokens_b: int
    longest: int
    longest_a: str = ""
    longest_b: str = ""
    longest_cells: tuple[int, int] = (0, 0)
    fragments_a: tuple[Fragment, ...] = ()
    fragments_b: tuple[Fragment, ...] = ()

    @property
    def share(self) -> float:
        return max(self.share_a, self.share_b)

    @property
    def tokens(self) -> int:
        return min(self.tokens_a, self.tokens_b)

    def summary(self) -> "StreamMatch":
        """The numbers only (a pair below the thresholds keeps no code in the files)."""
        return StreamMatch(self.share_a, self.share_b, self.tokens_a, self.tokens_b, self.longest)


@dataclass(frozen=True)
class SimilarPair(JsonData):
    """Two submissions that share fingerprints; ``flagged_by`` says which streams pass the thresholds."""

    a: str
    b: str
    code: StreamMatch | None = None
    text: StreamMatch | None = None
    flagged_by: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flagged_by)

    @property
    def score(self) -> float:
        """The largest share among the streams that flagged it (among all streams when none did)."""
        streams = [getattr(self, s) for s in (self.flagged_by or (CODE, TEXT))]
        return max((m.share for m in streams if m is not None), default=0.0)

    @property
    def detailed(self) -> bool:
        """It keeps its shared passages (the most similar pairs do; see compare.DETAILED_PAIRS)."""
        return any(m is not None and (m.longest_a or m.longest_b) for m in (self.code, self.text))

    @property
    def anchor(self) -> str:
        return f"par-{self.a}--{self.b}"

    def other(self, submission: str) -> str:
        return self.b if submission == self.a else self.a


@dataclass(frozen=True)
class SkippedSubmission(JsonData):
    """A submission of the run that could not be compared, and why (a catalogue key + detail)."""

    id: str
    reason: str  # missing | changed | unreadable
    detail: str = ""


@dataclass(frozen=True)
class SimilarityFindings(JsonData):
    """Every pair of a run's submissions that shares fingerprints, flagged ones first."""

    settings: SimilaritySettings
    compared: dict[str, str]  # submission id -> the sha256 of the notebook compared
    pairs: tuple[SimilarPair, ...] = ()
    skipped: tuple[SkippedSubmission, ...] = ()
    seconds: float = 0.0

    @property
    def flagged(self) -> tuple[SimilarPair, ...]:
        return tuple(p for p in self.pairs if p.flagged)

    def partners(self) -> dict[str, tuple[Partner, ...]]:
        """For each submission, the ones it was flagged with, most similar first."""
        found: dict[str, list[Partner]] = {}
        for pair in self.flagged:
            for me in (pair.a, pair.b):
                found.setdefault(me, []).append(
                    Partner(pair.other(me), pair.score, pair.flagged_by, f"{PAGE}#{pair.anchor}"))
        return {k: tuple(sorted(v, key=lambda p: (-p.score, p.other))) for k, v in found.items()}

    def matches(self, submissions: Mapping[str, str]) -> bool:
        """True when these findings are of exactly these submissions (id -> sha256), skipped ones included."""
        ids = set(self.compared) | {s.id for s in self.skipped}
        return ids == set(submissions) and all(submissions[k] == v for k, v in self.compared.items())
