"""Keras, imported once by the grading workers' fork server (:func:`grader.backends.local.fork_workers_from_server`).

Each worker forked from the server then starts with it imported. TensorFlow's import writes
banners to standard error, which is the terminal here (a worker sends its own output to
OUT/grader.log): they go nowhere. It is imported as a kernel imports it, with the garbage
collector paused and what it made frozen (:mod:`grader.execute.compat.finder`). It never
raises: a worker whose server has no Keras imports it itself, and reports what went wrong.
"""

from __future__ import annotations

import importlib
import logging
import os

from grader.execute.compat.finder import pause_collector_for_frameworks

log = logging.getLogger(__name__)


def import_quietly(name: str = "keras") -> bool:
    """Import ``name`` with standard output and error sent nowhere meanwhile; False when it cannot be imported."""
    pause_collector_for_frameworks()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    nowhere = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in saved:
            os.dup2(nowhere, fd)
        importlib.import_module(name)
        return True
    except Exception as exc:  # noqa: BLE001 - a worker imports it again and reports it
        log.info("the fork server could not import %s: %s: %s", name, type(exc).__name__, exc)
        return False
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        os.close(nowhere)


import_quietly()
