"""Connecting to a Dask distributed cluster for ``grader run --scheduler ADDRESS``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from grader.errors import UsageError


@contextmanager
def dask_client(address: str) -> Iterator[object]:
    """A Dask client for ``address`` (``tcp://host:8786``), or a usage error saying what to do."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'grader[dask]' (dask[distributed])") from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
