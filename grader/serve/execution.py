"""What a grading worker process runs: one notebook's facts. Light to import (no web framework)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from grader.grade import GradingContext, collect_facts
from grader.interrupt import install_worker_handlers


def init_worker(threads: int, log_path: str | None = None) -> None:
    """Thread counts set before the worker first imports TensorFlow; SIGTERM stops it with its kernels.

    What the kernels and TensorFlow write to the worker's stdout and stderr goes to ``log_path``.
    """
    install_worker_handlers()
    if log_path:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def notebook_facts(path: Path, context: GradingContext, status: Path | None) -> str:
    """The facts (JSON text) of the notebook at ``path``: stored ones when the store has them."""
    import json

    facts, _ = collect_facts(path, context, use_cache=True, status=status)
    return json.dumps(facts.to_json())
