"""JSON round-trip for the frozen dataclasses that cross module boundaries.

Every dataclass that is stored or written to ``results.json`` inherits
:class:`JsonData`: ``to_json()`` gives plain JSON types, ``from_json()`` rebuilds
the dataclass, nested dataclasses, tuples and dicts included, from type hints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import abc
import types
import typing
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T", bound="JsonData")

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def valid_str(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD: a str that encodes as UTF-8.

    JSON may carry ``"\\ud800"`` escaped, and Python reads it into a str that no UTF-8
    writer, hash, SQLite binding or HTML page accepts.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE.sub(REPLACEMENT, text)
    return text


def valid_text(value: Any) -> Any:
    """``value`` (JSON-ready: dicts, lists, str) with every string, keys included, valid UTF-8.

    Iterative, not recursive: a student's variable may nest as deep as JSON reading allows.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, key, item = stack.pop()
        if isinstance(item, str):
            item = valid_str(item)
        elif isinstance(item, abc.Mapping):
            copy: dict[Any, Any] = {}
            for k, v in item.items():
                k = valid_str(k) if isinstance(k, str) else k
                copy[k] = None  # keeps the order; filled below
                stack.append((copy, k, v))
            item = copy
        elif isinstance(item, (list, tuple)):
            copy_list: list[Any] = [None] * len(item)
            stack.extend((copy_list, n, v) for n, v in enumerate(item))
            item = copy_list
        parent[key] = item
    return root[0]


def to_plain(value: Any) -> Any:
    """Convert dataclasses, tuples and mappings into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, abc.Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return value.isoformat()  # ISO 8601, with its offset when aware
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def _from_plain(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _from_plain(options[0], value) if len(options) == 1 else value
    if isinstance(hint, type) and issubclass(hint, JsonData):
        return hint.from_json(value)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if hint is dt.timedelta:
        return dt.timedelta(seconds=value)
    if origin is tuple:
        args = get_args(hint)
        item = args[0] if args else Any
        return tuple(_from_plain(item, v) for v in value)
    if origin in (dict, abc.Mapping):
        args = get_args(hint)
        item = args[1] if len(args) == 2 else Any
        return {k: _from_plain(item, v) for k, v in value.items()}
    return value


class JsonData:
    """Mixin giving a frozen dataclass a lossless JSON form."""

    def to_json(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_json(cls: type[T], data: abc.Mapping[str, Any]) -> T:
        hints = get_type_hints(cls)
        kwargs = {}
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.name in data:
                kwargs[field.name] = _from_plain(hints[field.name], data[field.name])
        return cls(**kwargs)
