"""The kernels' work folders in the temporary directory, and the ones a killed run left behind.

Each notebook runs in a folder ``grader-*`` of its own (the kernel's area, the exports,
the judge's folder), removed when the notebook is done. A run killed with SIGKILL (or a
worker killed by the OOM killer, a reboot) cannot remove them: each folder names the
process that owns it, and the next run removes those whose owner is gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "grader-"
OWNER = "owner.pid"


# free space kept beyond a kernel's own quota before a notebook starts (the store, the outputs)
FREE_MARGIN = 256 * 2**20


def disk_too_low(needed: int) -> tuple[int, int] | None:
    """``(free MB, needed MB)`` when the work folders' disk has less than ``needed`` bytes free, else None.

    A notebook is not started then: its kernel may write up to its quota there, and a full
    disk would fail the store and the outputs of the whole run.
    """
    try:
        free = shutil.disk_usage(tempfile.gettempdir()).free
    except OSError:
        return None
    return (free // 2**20, needed // 2**20) if free < needed else None


def new_workdir() -> Path:
    """A fresh work folder owned by this process."""
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    (root / OWNER).write_text(str(os.getpid()), encoding="ascii")
    return root


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (killed, not yet reaped by its new parent) is gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def remove_stale_workdirs(base: Path | None = None) -> int:
    """Remove the work folders whose owning process is gone; how many were removed."""
    base = Path(base or tempfile.gettempdir())
    removed = 0
    for folder in base.glob(f"{PREFIX}*"):
        owner = folder / OWNER
        try:
            pid = int(owner.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue  # not ours, or still being created: leave it
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d work folder(s) left by an earlier run", removed)
    return removed
