"""Find and kill processes a kernel left behind, detached daemons included.

The grading process makes itself a *child subreaper*: an orphaned descendant of a
kernel (a double-forked daemon, ``start_new_session=True`` children) is re-parented to
it instead of to init, so it can be found among its children and killed.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from pathlib import Path

log = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36


class LiveProcesses:
    """This process's children in use: its kernels (running or started ahead) and judges.

    Reaping kills the children that appeared since a kernel or judge started, except these:
    a Dask worker with several threads runs several notebooks at once, and a worker keeps
    the next notebook's kernel started ahead (:mod:`grader.execute.warm`). The set is the
    process's own, like its children.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()  # held while one is started and registered, and while reaping
        self._pids: set[int] = set()

    def add(self, pid: int | None) -> None:
        if pid:
            with self.lock:
                self._pids.add(pid)

    def discard(self, pid: int | None) -> None:
        with self.lock:
            self._pids.discard(pid)

    def pids(self) -> set[int]:
        with self.lock:
            return set(self._pids)


LIVE = LiveProcesses()


def become_subreaper() -> bool:
    """Ask Linux to re-parent orphaned descendants to this process (no-op elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children(pid: int | None = None) -> set[int]:
    """Direct children of ``pid`` (default: this process), from /proc."""
    pid = os.getpid() if pid is None else pid
    found: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def kill_tree(root: int) -> None:
    """SIGKILL ``root`` and every descendant it still has."""
    pending, seen = [root], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pending.extend(children(pid))
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def reap_new_children(before: set[int]) -> int:
    """Kill children (and their trees) that appeared since ``before``, never a live one; returns how many."""
    with LIVE.lock:  # a kernel or judge being started is registered before this can see it
        extra = children() - before - LIVE.pids()
        for pid in extra:
            kill_tree(pid)
    for pid in extra:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
    if extra:
        log.info("killed %d process(es) left behind by a kernel", len(extra))
    return len(extra)


def kill_all_children() -> None:
    """SIGKILL every kernel and judge of this process (their whole sessions) and every other child's tree.

    For a worker told to stop: nothing it started may outlive it.
    """
    for pid in set(LIVE._pids):  # no lock: called from a signal handler, which the lock's holder may be
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for pid in children():
        kill_tree(pid)
