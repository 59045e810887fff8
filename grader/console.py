"""All console output: messages, errors and progress bars (library code only logs)."""

from __future__ import annotations

import sys
from typing import Iterable, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def out(text: str = "") -> None:
    print(text, file=sys.stdout, flush=True)


def err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def progress(items: Iterable[T], *, total: int, label: str) -> Iterable[T]:
    """A progress bar on stderr; plain (no bar) when stderr is not a terminal."""
    return tqdm(items, total=total, desc=label, unit="nb", file=sys.stderr, disable=None, leave=True)
