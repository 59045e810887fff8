"""Connecting to a Dask distributed cluster for ``grader run --scheduler ADDRESS``.

Dask has two retry mechanisms, and the grader sets both explicitly:

* ``retries=`` (per task, :data:`TASK_RETRIES`): a task that *raised* on its worker (a
  worker without the dataset, a full disk there) is run once more, on any worker;
* the scheduler's ``distributed.scheduler.allowed-failures`` (:data:`ALLOWED_FAILURES`):
  a task whose worker *died* while holding it (the OOM killer, a notebook that kills its
  own process) is given to another worker that many more times, then fails with
  ``KilledWorker``. Dask's default is 3 (four workers lost to one notebook); the grader
  sets 1 on the scheduler for the length of its connection: retried once elsewhere, then
  reported as that notebook's error.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from grader.errors import UsageError
from grader.messages import Catalogue

TASK_RETRIES = 1
ALLOWED_FAILURES = 1
DEFAULT_CONNECT_TIMEOUT = 20.0  # seconds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DaskScheduler:
    """Where ``grader run --scheduler`` sends the notebooks, and how long to wait to reach it."""

    address: str
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT


def _set_allowed_failures(dask_scheduler, value: int) -> int:
    """On the scheduler: set how often a task may outlive its worker; the previous value."""
    previous = dask_scheduler.allowed_failures
    dask_scheduler.allowed_failures = value
    return previous


@contextmanager
def dask_client(scheduler: DaskScheduler) -> Iterator[object]:
    """A Dask client for ``scheduler`` (``tcp://host:8786``), or a usage error saying what to do.

    While connected, the scheduler retries a task whose worker died :data:`ALLOWED_FAILURES`
    time(s); its own setting is put back on close.
    """
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'grader[dask]' (dask[distributed])") from None
    try:
        client = Client(scheduler.address, timeout=f"{scheduler.connect_timeout}s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler.address}: {exc}") from None
    try:
        previous = _allow_failures(client, ALLOWED_FAILURES)
        try:
            yield client
        finally:
            if previous is not None:
                _allow_failures(client, previous)
    finally:
        client.close()


def _allow_failures(client, value: int) -> int | None:
    """Set the scheduler's allowed-failures; its previous value, or ``None`` when it refuses."""
    try:
        return client.run_on_scheduler(_set_allowed_failures, value=value)
    except Exception as exc:  # a scheduler that runs no client functions keeps its own setting
        log.warning("cannot set the Dask scheduler's allowed-failures to %s (%s: %s): its own setting applies",
                    value, type(exc).__name__, exc)
        return None


def cluster_threads(client) -> int:
    """Threads of the workers connected now (at least one, so that work keeps being handed out)."""
    return max(1, sum(client.nthreads().values()))


def lost_worker_reason(exc: BaseException, catalogue: Catalogue) -> str | None:
    """The plain reason for a notebook whose workers died while executing it (in ``catalogue``'s language), else ``None``."""
    from distributed import KilledWorker

    if not isinstance(exc, KilledWorker):
        return None
    return catalogue("submission.worker_died", times=ALLOWED_FAILURES + 1)
