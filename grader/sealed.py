"""Expected values a student kit can compare against but not read back.

A kit holds a random per-kit key; every value a visible check does not reveal is stored
as keyed HMAC-SHA256 digests of its canonical form, never as the value:

* :class:`Sealed`: exact equality (parameter counts, strings, layer attributes, shapes).
  Compares equal to a plain value whose digest is the same, so the checks' own ``==``
  judges it; integers compared with a tolerance (:meth:`Sealed.close`) try the few integers
  within it.
* :class:`SealedNumber`: a float compared with ``math.isclose(rel_tol, abs_tol)``. Stored as
  the digests of the value's cell on two grids (linear, of width ``abs_tol / 4.5``, and on
  ``log |x|``, of width ``-log(1 - rel_tol) / 4.5``); a student's value is compared by the
  digests of its neighbour cells. The answer is certain unless the difference is within a
  factor of about 1.5 of the tolerance: then :class:`Undecidable` is raised and the check
  is left to the instructor's run.
* :class:`SealedKeyword`: a keyword of a written answer (its normalized length is kept, so
  it can be looked for at each word start of the student's text).

Digests hide values from reading, not from a search: a parameter count is a small integer
that a determined student can find by trying every candidate offline. The grade is always
the instructor's ``grader run``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
from dataclasses import dataclass
from typing import Any, Iterator

HIDDEN = "•••"  # how a sealed value prints
KEY_BYTES = 16
# digests are written with the letters A-P for the hex digits: a sealed kit never contains
# a digit by accident, so a test can grep it for any number an expected value holds
_ALPHABET = str.maketrans("0123456789abcdef", "ABCDEFGHIJKLMNOP")
GRID_CELLS = 4.5  # cells per tolerance
SEARCHED_CELLS = 5  # neighbour cells tried on each side
MAX_INTEGER_CANDIDATES = 2001


class Undecidable(Exception):
    """The student's value is too close to the tolerance limit to decide from digests."""


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES).translate(_ALPHABET)


def canonical(value: Any) -> str:
    """The JSON a value is digested as: tuples as lists, integral floats as integers."""
    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(key: str, context: str, text: str) -> str:
    mac = hmac.new(key.encode(), f"{context}\0{text}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32].translate(_ALPHABET)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Opaque:
    """Prints as ``•••`` wherever a message or a report formats it; holds the kit's key apart
    from its fields, so that its JSON form (:func:`grader.serial.to_plain`) is the token alone."""

    _key = ""

    def keyed(self, key: str):
        object.__setattr__(self, "_key", key)
        return self

    def __str__(self) -> str:
        return HIDDEN

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return HIDDEN


@dataclass(frozen=True, eq=False, repr=False)
class Sealed(_Opaque):
    """A value known only by its digest: ``sealed == value`` digests ``value``."""

    sealed: str  # "exact"; the JSON marker
    context: str
    digest: str
    integer: bool = False  # the value is an integer: :meth:`close` may try integers near a float

    @classmethod
    def of(cls, value: Any, key: str, context: str) -> "Sealed":
        return cls("exact", context, digest(key, context, canonical(value)),
                   is_number(value) and float(value).is_integer()).keyed(key)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Sealed):
            return other.digest == self.digest
        if isinstance(other, _Opaque):
            return NotImplemented
        return hmac.compare_digest(digest(self._key, self.context, canonical(other)), self.digest)

    def __hash__(self) -> int:
        return hash(self.digest)

    def close(self, got: Any, rel_tol: float, abs_tol: float) -> bool:
        """``math.isclose(got, value)`` for an integer value: the integers within tolerance are tried."""
        if not is_number(got) or not math.isfinite(got):
            return False
        if not self.integer:
            return self == got
        tolerance = max(rel_tol * abs(got) / max(1.0 - rel_tol, 1e-12), abs_tol)
        low, high = math.ceil(got - tolerance), math.floor(got + tolerance)
        if high - low >= MAX_INTEGER_CANDIDATES:
            raise Undecidable("too many integers within the tolerance")
        return any(math.isclose(got, n, rel_tol=rel_tol, abs_tol=abs_tol) and self == n for n in range(low, high + 1))


def _cells(x: float, width: float) -> int:
    return math.floor(x / width)


def _log_width(rel_tol: float) -> float:
    return -math.log1p(-rel_tol) / GRID_CELLS


def _log_cell(x: float, rel_tol: float) -> str:
    if x == 0:
        return "zero"
    return f"{'+' if x > 0 else '-'}{_cells(math.log(abs(x)), _log_width(rel_tol))}"


@dataclass(frozen=True, eq=False, repr=False)
class SealedNumber(_Opaque):
    """A float compared within ``rel_tol`` / ``abs_tol`` through the digests of grid cells."""

    sealed: str  # "number"
    context: str
    rel_tol: float
    abs_tol: float
    linear: str
    logarithmic: str

    @classmethod
    def of(cls, value: float, key: str, context: str, rel_tol: float, abs_tol: float) -> "SealedNumber":
        value = float(value)
        linear = digest(key, context + "/lin", str(_cells(value, abs_tol / GRID_CELLS))) if abs_tol > 0 else ""
        logarithmic = digest(key, context + "/log", _log_cell(value, rel_tol)) if 0 < rel_tol < 1 else ""
        return cls("number", context, float(rel_tol), float(abs_tol), linear, logarithmic).keyed(key)

    def _distance(self, cell: int, stored: str, suffix: str, sign: str = "") -> int | None:
        """How many cells from ``cell`` the stored cell is, if within the searched ones."""
        for step in sorted(range(-SEARCHED_CELLS, SEARCHED_CELLS + 1), key=abs):
            if hmac.compare_digest(digest(self._key, self.context + suffix, f"{sign}{cell + step}"), stored):
                return abs(step)
        return None

    def _criterion(self, distance: int | None) -> bool | None:
        """Within tolerance for certain (True), beyond it for certain (False), or unknown (None)."""
        if distance is None:
            return False  # at least SEARCHED_CELLS + 1 cells apart: beyond GRID_CELLS cells
        if distance + 1 <= GRID_CELLS:
            return True
        return None

    def close(self, got: Any, rel_tol: float, abs_tol: float) -> bool:
        """``math.isclose(got, value, rel_tol, abs_tol)``; :class:`Undecidable` near the limit."""
        if (rel_tol, abs_tol) != (self.rel_tol, self.abs_tol):
            raise Undecidable("the kit was built for other tolerances")
        if not is_number(got) or not math.isfinite(got):
            return False
        got = float(got)
        verdicts = []
        if self.linear:
            verdicts.append(self._criterion(self._distance(_cells(got, self.abs_tol / GRID_CELLS), self.linear,
                                                           "/lin")))
        if self.logarithmic:
            if got == 0:
                zero = hmac.compare_digest(digest(self._key, self.context + "/log", "zero"), self.logarithmic)
                verdicts.append(zero)
            else:
                sign = "+" if got > 0 else "-"
                cell = _cells(math.log(abs(got)), _log_width(self.rel_tol))
                verdicts.append(self._criterion(self._distance(cell, self.logarithmic, "/log", sign)))
        if any(v is True for v in verdicts):
            return True
        if all(v is False for v in verdicts):
            return False
        raise Undecidable("the value is within a cell of the tolerance limit")

    def __eq__(self, other: Any) -> bool:  # exact comparisons of a tolerance-sealed number decide nothing
        if isinstance(other, SealedNumber):
            return other.linear == self.linear and other.logarithmic == self.logarithmic
        return self.close(other, self.rel_tol, self.abs_tol)

    def __hash__(self) -> int:
        return hash((self.linear, self.logarithmic))


def _is_word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and re.match(r"\w", text[i]) is not None


def _boundary(text: str, i: int) -> bool:
    return _is_word(text, i - 1) != _is_word(text, i)


@dataclass(frozen=True, eq=False, repr=False)
class SealedKeyword(_Opaque):
    """A keyword (already normalized) looked for at each word start of a normalized text."""

    sealed: str  # "keyword"
    context: str
    length: int
    digest: str

    @classmethod
    def of(cls, normalized: str, key: str, context: str) -> "SealedKeyword":
        return cls("keyword", context, len(normalized), digest(key, context, normalized)).keyed(key)

    def starts(self, plain: str, whole: bool) -> Iterator[int]:
        """Where ``plain`` has the keyword after a word boundary (and before one if ``whole``), as ``re``'s ``\\b``."""
        n = self.length
        for i in range(len(plain) - n + 1):
            if _boundary(plain, i) and (not whole or _boundary(plain, i + n)):
                if hmac.compare_digest(digest(self._key, self.context, plain[i:i + n]), self.digest):
                    yield i

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, SealedKeyword) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)


KINDS = {"exact": Sealed, "number": SealedNumber, "keyword": SealedKeyword}


def is_sealed(value: Any) -> bool:
    return isinstance(value, _Opaque)


def decode_hook(key: str):
    """A ``json.loads`` object hook that turns the kit's tokens back into sealed values."""
    def hook(data: dict[str, Any]) -> Any:
        kind = data.get("sealed")
        if isinstance(kind, str) and kind in KINDS and "context" in data:
            return KINDS[kind](**data).keyed(key)
        return data
    return hook


