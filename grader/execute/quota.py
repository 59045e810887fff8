"""The kernel's writable space has a quota: a watcher stops a kernel that fills it.

Its private ``/tmp`` is a tmpfs of the quota's size (bubblewrap); its own folders live on
the grader's disk, where no unprivileged quota exists, so a thread measures them while the
kernel runs (blocks really used, so a sparse file counts for what it holds) and kills the
kernel's process group when they pass the quota. The runner then treats the kernel as one
that died, and says why.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import stat
import threading
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
MAX_ENTRIES = 200_000  # files and folders: past this, the folder counts as full (an inode bomb)


def disk_usage(folder: Path, limit: int) -> int:
    """Bytes used under ``folder`` (links not followed), or ``limit + 1`` once past it."""
    used, entries, stack = 0, 0, [str(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                for entry in listing:
                    entries += 1
                    if entries > MAX_ENTRIES:
                        return limit + 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += info.st_blocks * 512
                    if stat.S_ISDIR(info.st_mode):
                        stack.append(entry.path)
                    if used > limit:
                        return used
        except OSError:  # removed meanwhile, or not readable: nothing to count
            continue
    return used


class DiskWatch:
    """Watches ``folder`` while a kernel runs; ``pid()`` gives the kernel's process group to stop."""

    def __init__(self, folder: Path, limit_bytes: int, pid: Callable[[], int | None]) -> None:
        self.folder = folder
        self.limit = int(limit_bytes)
        self.pid = pid
        self.exceeded = False
        self._stop = threading.Event()
        self._lock = threading.Lock()  # a measure and its kill are one step; clear() bumps the generation
        self._generation = 0
        self._thread: threading.Thread | None = None

    def start(self) -> "DiskWatch":
        self._thread = threading.Thread(target=self._watch, name="grader-disk-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._measure()

    def check_now(self) -> bool:
        """Measure now (after a cell ends): past the quota, the kernel is stopped. True when it was.

        The cell that wrote past the quota is the one charged with it, even when the watching
        thread would have noticed only during the next cell.
        """
        return self._measure() or self.exceeded

    def _measure(self) -> bool:
        generation = self._generation
        if disk_usage(self.folder, self.limit) <= self.limit:
            return False
        with self._lock:
            if generation != self._generation:  # measured before clear(): a new kernel runs now
                return False
            pid = self.pid()
            if pid is None:
                return False
            self.exceeded = True
            log.info("the kernel's folder passed its quota of %d bytes: stopping the kernel", self.limit)
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            return True

    def clear(self, *folders: Path) -> None:
        """Empty the kernel's folders after a stop for the quota, so the replay has room again."""
        with self._lock:
            self._generation += 1
            self._clear(folders)

    def _clear(self, folders: tuple[Path, ...]) -> None:
        for folder in folders:
            for child in list(folder.iterdir()) if folder.is_dir() else ():
                try:
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink()
                except OSError:
                    pass
        self.exceeded = False
