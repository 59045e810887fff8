"""What a grading worker process runs: one notebook's facts. Light to import (no web framework)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from grader.backends.local import prepare_worker
from grader.grade import GradingContext, collect_facts
from grader.execute.cgroups import destroy_all
from grader.execute.reaper import kill_all_children
from grader.execute.warm import worker_reserve
from grader.interrupt import install_worker_handlers

PARENT_CHECK = 1.0  # seconds between two looks at whether the server is still there


def init_worker(threads: int, log_path: str | None = None, server: int | None = None) -> None:
    """Thread counts set before the worker first imports TensorFlow; SIGTERM stops it with its kernels.

    What the kernels and TensorFlow write to the worker's stdout and stderr goes to ``log_path``.
    """
    install_worker_handlers()
    # the server's pid as the server knew it: a server killed while this worker started is already gone here
    threading.Thread(target=_stop_with_parent, args=(server or os.getppid(),), name="grader-serve-parent",
                     daemon=True).start()
    prepare_worker(threads, log_path)


def _stop_with_parent(parent: int) -> None:
    """A server killed outright (SIGKILL) leaves its workers: each stops its kernels and itself."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    print(f"grader serve worker {os.getpid()}: the server ({parent}) is gone; stopping", file=sys.stderr, flush=True)
    # from this thread, not by a signal: the main thread may sit in a kernel's read that no signal interrupts
    kill_all_children()
    destroy_all()
    logging.shutdown()
    os._exit(128 + signal.SIGTERM)


def notebook_facts(path: Path, context: GradingContext, status: Path | None) -> str:
    """The facts (JSON text) of the notebook at ``path``: stored ones when the store has them."""
    import json

    # a kernel started ahead in this worker while the notebook runs, taken by the next one (grader.execute.warm)
    facts, _ = collect_facts(path, context, use_cache=True, status=status, reserve=worker_reserve())
    return json.dumps(facts.to_json())


WARM_HOLD = 1.0  # seconds a warm-up task keeps its worker, so that the next one goes to another worker


def warm_up(context: GradingContext) -> None:
    """Start this worker's first kernel now: the first upload after an idle start only connects to it."""
    worker_reserve().launch_ahead(context.assignment.execution, context.sandbox, context.dataset_dir)
    time.sleep(WARM_HOLD)
