"""Free-text matching for answers: normalization, keywords and numbers as people write them.

Pure helpers used by :mod:`grader.checks.answer_text` and :mod:`grader.checks.value`.
Numbers are read in both Brazilian and English conventions ("72.000.100", "72,000,100",
"72 000 100", "0,85", "0.85"); a token whose separator is ambiguous ("2.800") yields
every reading, and a match on any of them counts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Iterable

from grader.sealed import Sealed, SealedKeyword, SealedNumber

NUMBER_TOLERANCE = 1e-9  # a stated number equals the expected one up to float round-off
# Space-like characters people (and word processors) put between digit groups.
_GROUP_SPACE = " \u00a0\u202f\u2009"
_NUMBER = re.compile(rf"\d+(?:(?:[.,]|[{_GROUP_SPACE}](?=\d{{3}}(?!\d)))\d+)*")
# Words that, shortly before a contradicting keyword, negate it ("não aumenta").
NEGATIONS = ("nao", "nem", "not", "no", "never", "nunca", "sem", "without", "nothing", "nenhum")
_NEGATION_WINDOW = 3


def normalize(text: str) -> str:
    """Lowercase, strip accents, unify apostrophes and collapse whitespace."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("\u2019", "'").replace("\u2018", "'").lower()
    return re.sub(r"\s+", " ", plain).strip()


def _keyword_regex(keyword: str, whole: bool) -> re.Pattern[str]:
    words = normalize(keyword).split(" ")
    body = r"\s+".join(re.escape(w) for w in words if w)
    return re.compile(rf"\b{body}" + (r"\b" if whole else ""))


def _starts(plain: str, keyword, whole: bool) -> list[int]:
    """Where ``keyword`` (plain, or a student kit's sealed keyword) starts in ``plain``."""
    if isinstance(keyword, SealedKeyword):
        return list(keyword.starts(plain, whole))
    return [m.start() for m in _keyword_regex(keyword, whole).finditer(plain)]


def find_keyword(text: str, keywords: Iterable[str]) -> str | None:
    """Return the first keyword found as a prefix at a word boundary of ``text``, or None.

    A sealed keyword found is returned as the student's own words that matched it."""
    plain = normalize(text)
    for keyword in keywords:
        found = _starts(plain, keyword, whole=False)
        if found:
            return plain[found[0]:found[0] + keyword.length] if isinstance(keyword, SealedKeyword) else keyword
    return None


def _negated(plain: str, start: int) -> bool:
    clause = re.split(r"[;!?]|\.(?!\d)", plain[:start])[-1]
    before = re.findall(r"[\w']+", clause)[-_NEGATION_WINDOW:]
    return any(w in NEGATIONS or w.endswith("n't") for w in before)


def find_contradictions(text: str, words: Iterable[str]) -> list[str]:
    """Words found as whole words in ``text`` and not negated just before ("não muda")."""
    plain = normalize(text)
    hits = []
    for word in words:
        starts = _starts(plain, word, whole=True)
        if any(not _negated(plain, start) for start in starts):
            hits.append(plain[starts[0]:starts[0] + word.length] if isinstance(word, SealedKeyword) else word)
    return hits


def _grouped(groups: list[str]) -> bool:
    """True when ``groups`` read as digit grouping: 1-3 leading digits, then groups of 3."""
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _readings(token: str) -> tuple[float, ...]:
    token = re.sub(f"[{_GROUP_SPACE}]", "", token)
    seps = [ch for ch in token if ch in ".,"]
    if not seps:
        return (float(int(token)),)
    if len(set(seps)) == 2:
        decimal = seps[-1]
        thousands = "," if decimal == "." else "."
        whole, _, fraction = token.rpartition(decimal)
        if seps.count(decimal) > 1 or not _grouped(whole.split(thousands)):
            return ()
        return (float(whole.replace(thousands, "") + "." + fraction),)
    groups = re.split(r"[.,]", token)
    readings = []
    if len(groups) == 2:
        readings.append(float(groups[0] + "." + groups[1]))
    if _grouped(groups):
        readings.append(float("".join(groups)))
    return tuple(readings)


def parse_numbers(text: str) -> list[tuple[float, ...]]:
    """Every number written in ``text``, each as the tuple of its possible readings."""
    readings = (_readings(m.group()) for m in _NUMBER.finditer(text or ""))
    return [r for r in readings if r]


def parse_number(text: str) -> float | None:
    """The single number ``text`` states (first reading), or None when it is not one number."""
    numbers = parse_numbers(text)
    stripped = re.sub(rf"[\d.,{_GROUP_SPACE}+-]", "", text.strip())
    if len(numbers) != 1 or stripped:
        return None
    sign = -1.0 if text.strip().startswith("-") else 1.0
    return sign * numbers[0][0]


def same_number(a: float, b: float) -> bool:
    """Equality of a stated and an expected number, tolerant of float round-off only."""
    if isinstance(b, (Sealed, SealedNumber)):  # a student kit's expected number, known by its digests
        return b.close(a, NUMBER_TOLERANCE, NUMBER_TOLERANCE)
    return math.isclose(a, b, rel_tol=NUMBER_TOLERANCE, abs_tol=NUMBER_TOLERANCE)


def states_number(numbers: list[tuple[float, ...]], expected: float) -> bool:
    """True when one of the parsed ``numbers`` can be read as ``expected``."""
    return any(same_number(r, expected) for readings in numbers for r in readings)


def unexpected_large_numbers(numbers: list[tuple[float, ...]], expected: Iterable[float], floor: float = 1000) -> list[float]:
    """Numbers of at least ``floor`` that no reading matches to any expected number."""
    expected = list(expected)
    found = []
    for readings in numbers:
        if any(same_number(r, e) for r in readings for e in expected):
            continue
        if max(readings) >= floor:
            found.append(max(readings))
    return found
