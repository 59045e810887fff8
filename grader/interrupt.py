"""Ctrl-C during ``grader run``: stop within seconds, stop every kernel, keep what is stored.

A terminal's Ctrl-C reaches the run's whole process group: the main process and its pool
workers (kernels and judges run in sessions of their own and never see it). Workers ignore
it. The main process cancels the queued notebooks and tells each worker to stop (SIGTERM):
the worker kills its kernels, judges and their cgroups and exits at once, without finishing
the notebook it runs. Each worker stored every notebook it finished, so the same command
resumes from there. A second Ctrl-C kills the workers' process trees and ends at once.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from grader import console
from grader.messages import Catalogue
from grader.errors import INTERRUPTED_EXIT
from grader.execute.cgroups import destroy_all
from grader.execute.reaper import kill_all_children, kill_tree
from grader.workdirs import remove_stale_workdirs

log = logging.getLogger(__name__)

GRACE = 5.0  # seconds a worker has to stop its kernels before it is killed


# ---------------------------------------------------------------------- in a worker
def _ignore(signum, frame) -> None:
    """Ctrl-C is the main process's to handle (a Python handler, unlike SIG_IGN, is not inherited by kernels)."""


def _stop_worker(signum, frame) -> None:
    """SIGTERM from the main process: kill everything this worker started, then exit without teardown."""
    kill_all_children()
    destroy_all()
    logging.shutdown()
    os._exit(128 + signum)


def install_worker_handlers() -> None:
    """In a pool worker: ignore Ctrl-C, stop at once (kernels included) on SIGTERM."""
    signal.signal(signal.SIGINT, _ignore)
    signal.signal(signal.SIGTERM, _stop_worker)


# ---------------------------------------------------------------------- in the main process
def _workers(pool: ProcessPoolExecutor) -> list:
    # private, but the executor has no public way to stop its workers without waiting for them
    return list((getattr(pool, "_processes", None) or {}).values())


def _kill_now(workers: list, catalogue: Catalogue) -> None:
    """The second Ctrl-C: kill every worker's tree (its kernels are in it) and end the run."""
    for process in workers:
        if process.pid:
            kill_tree(process.pid)
    console.err(catalogue("cli.run.interrupted_now"))
    os._exit(INTERRUPTED_EXIT)


def stop_pool(pool: ProcessPoolExecutor, catalogue: Catalogue, grace: float = GRACE) -> None:
    """Cancel the queued notebooks, stop every worker (kernels included); kill a worker that outlives ``grace``.

    What it is doing is said in ``catalogue``'s language.
    """
    workers = _workers(pool)
    previous = signal.signal(signal.SIGINT, lambda signum, frame: _kill_now(workers, catalogue))
    try:
        console.err(catalogue("cli.run.interrupting"))
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            try:
                process.terminate()
            except (OSError, ValueError):  # already gone
                pass
        deadline = time.monotonic() + grace
        for process in workers:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in workers:
            if process.is_alive():
                log.warning("worker %s did not stop within %.0f s: killed", process.pid, grace)
                kill_tree(process.pid)
                process.join(1)
        remove_stale_workdirs()  # the stopped workers' folders
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def stopped_on_interrupt(pool: ProcessPoolExecutor, catalogue: Catalogue) -> Iterator[ProcessPoolExecutor]:
    """``pool``, stopped with its kernels when Ctrl-C reaches this block (the interrupt goes on)."""
    try:
        yield pool
    except KeyboardInterrupt:
        stop_pool(pool, catalogue)
        raise
