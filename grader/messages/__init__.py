"""Student-facing text, looked up by key in a per-language catalogue.

Catalogues are TOML files (``pt_BR.toml``, ``en.toml``) of ``key = "text with {params}"``.
Integers are rendered with the language's digit grouping (72.000.100 in pt-BR,
72,000,100 in English) and floats with its decimal separator; the items of a list are
separated by "; " when one of them holds a decimal comma ("[4,3; 5; 3,4]"). A parameter may be
a :class:`Phrase` (or a list of them): a message of the same catalogue, rendered in place.
"""

from __future__ import annotations

import functools
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from grader.errors import UsageError

HERE = Path(__file__).parent
LANGUAGES = {"pt": "pt_BR", "pt_BR": "pt_BR", "pt-BR": "pt_BR", "en": "en"}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@dataclass(frozen=True)
class Phrase:
    """A message inside a message (``key`` and its parameters), rendered in the same language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def join_items(items: list[str], decimal: str) -> str:
    """Items of a list, separated by ", " unless one of them holds the decimal comma ("4,3; 5; 3,4")."""
    return ("; " if decimal == "," and any("," in item for item in items) else ", ").join(items)


class _LocalFormatter(string.Formatter):
    def __init__(self, thousands: str, decimal: str, catalogue: "Catalogue | None" = None) -> None:
        self.thousands, self.decimal, self.catalogue = thousands, decimal, catalogue

    def _swap(self, text: str) -> str:
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, bool):
            return super().format_field(value, format_spec)
        if isinstance(value, int):
            return self._swap(format(value, format_spec or ","))
        if isinstance(value, float):
            return self._swap(format(value, format_spec or ",.4g"))
        if isinstance(value, Phrase) and self.catalogue is not None:
            return self.catalogue.render(value.key, value.params)
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, Phrase) for v in value):
            return "; ".join(self.format_field(v, "") for v in value)
        if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
            return "[" + join_items([self.format_field(v, format_spec) for v in value], self.decimal) + "]"
        return super().format_field(value, format_spec)


@dataclass(frozen=True)
class Catalogue:
    """The messages of one language."""

    lang: str
    messages: Mapping[str, str]
    thousands: str
    decimal: str

    def render(self, key: str, params: Mapping[str, Any] | None = None) -> str:
        """Render ``key`` with ``params``; an unknown key is rendered visibly, not hidden.

        A key with singular and plural forms (``key.one``, ``key.other``) picks one by ``count``.
        """
        template = self.messages.get(key)
        if template is None and f"{key}.other" in self.messages:
            count = (params or {}).get("count")
            template = self.messages.get(f"{key}.one" if count == 1 else f"{key}.other")
        if template is None:
            return f"[{key}] {dict(params or {})}"
        formatter = _LocalFormatter(self.thousands, self.decimal, self)
        try:
            return formatter.vformat(template, (), dict(params or {}))
        except (KeyError, IndexError, ValueError) as exc:
            return f"[{key}: {exc}] {template}"

    def number(self, value: Any, spec: str = "") -> str:
        return _LocalFormatter(self.thousands, self.decimal).format_field(value, spec)

    def __call__(self, key: str, **params: Any) -> str:
        return self.render(key, params)


def load_catalogue(lang: str = "pt") -> Catalogue:
    """Load the catalogue for ``lang`` (``pt``/``pt-BR`` or ``en``)."""
    code = LANGUAGES.get(lang)
    if code is None:
        raise UsageError(f"unknown language '{lang}': use one of pt, en", "usage.unknown_language", lang=lang)
    return _load(code)


@functools.lru_cache(maxsize=None)
def _load(code: str) -> Catalogue:
    """Each language's file is read once per process (a catalogue is never changed)."""
    data = tomllib.loads((HERE / f"{code}.toml").read_text(encoding="utf-8"))
    meta = data.pop("_meta", {})
    return Catalogue(code, _flatten(data), meta.get("thousands", ","), meta.get("decimal", "."))
