"""Per-kernel control groups, where this machine lets the grader create them.

A kernel and everything it starts (detached daemons included) live in its own cgroup
with a memory and a process-count limit; removing the group kills whatever is left.
Needs a writable cgroup hierarchy (root, or a delegated subtree); without one the
grader falls back to rlimits and process-group cleanup, and says so.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

V1 = Path("/sys/fs/cgroup")
V2_CANDIDATES = (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))
_CREATED: set[str] = set()  # this process's groups not yet destroyed (see destroy_all)


@dataclass(frozen=True)
class KernelCgroups:
    """The cgroup folders of one kernel (empty when cgroups are not available)."""

    folders: tuple[str, ...] = ()

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders:
            try:
                found |= {int(p) for p in Path(folder, "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                continue
        return found

    def destroy(self) -> None:
        """Kill every process still in the groups, then remove them."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        for folder in self.folders:
            _CREATED.discard(folder)
            try:
                os.rmdir(folder)
            except OSError as exc:
                log.warning("could not remove cgroup %s: %s", folder, exc)


def destroy_all() -> None:
    """Destroy every group this process created and has not destroyed (a worker told to stop)."""
    KernelCgroups(tuple(_CREATED)).destroy()


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _v1(memory_bytes: int, processes: int, name: str) -> tuple[str, ...]:
    pids, memory = V1 / "pids", V1 / "memory"
    if not (os.access(pids, os.W_OK) and os.access(memory, os.W_OK)):
        return ()
    made = []
    try:
        for root, limits in ((pids, {"pids.max": str(processes)}),
                             (memory, {"memory.limit_in_bytes": str(memory_bytes)})):
            folder = root / name
            folder.mkdir()
            made.append(str(folder))
            for key, value in limits.items():
                _write(folder / key, value)
    except OSError as exc:
        log.info("cgroup v1 not usable: %s", exc)
        KernelCgroups(tuple(made)).destroy()
        return ()
    return tuple(made)


def _v2(memory_bytes: int, processes: int, name: str) -> tuple[str, ...]:
    for root in V2_CANDIDATES:
        controllers = root / "cgroup.controllers"
        if not controllers.is_file() or not os.access(root, os.W_OK):
            continue
        available = controllers.read_text().split()
        if not {"pids", "memory"} <= set(available):
            continue
        folder = root / name
        try:
            folder.mkdir()
            _write(folder / "pids.max", str(processes))
            _write(folder / "memory.max", str(memory_bytes))
        except OSError as exc:
            log.info("cgroup v2 not usable at %s: %s", root, exc)
            if folder.exists():
                KernelCgroups((str(folder),)).destroy()
            continue
        return (str(folder),)
    return ()


def create_kernel_cgroups(memory_bytes: int, processes: int) -> KernelCgroups:
    """Groups limiting one kernel's memory and processes, or none when not permitted."""
    name = f"grader-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folders = _v2(memory_bytes, processes, name) or _v1(memory_bytes, processes, name)
    _CREATED.update(folders)
    return KernelCgroups(folders)
