"""Kernels started ahead, in worker processes that grade one notebook after another.

ipykernel takes about 0.4 s to start on an idle machine and more than a second when
several kernels start at once on a busy one; a worker pays it before every notebook. While
a notebook runs, its worker launches the next kernel in a fresh work folder, with the same
execution settings, sandbox and dataset; the next notebook of the worker takes it and only
connects. Nothing passes between two notebooks: each kernel has its own folder, cgroups
and process, and the one started ahead has run no code yet (the prelude and the seeds come
after it is taken). A kernel that died while waiting is thrown away and a fresh one started.

Only worker processes keep a reserve (:func:`worker_reserve`): ``grader check`` and a
single notebook start their kernel when they need it. The kernel left waiting after a
worker's last notebook is stopped when the worker process exits.
"""

from __future__ import annotations

import atexit
import json
import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import run_sync

from grader.execute.environment import KernelArea, prepare_area
from grader.execute.kernel import Launched, launch_kernel, stop_launched
from grader.execute.sandbox import Sandbox
from grader.spec import ExecutionSettings
from grader.workdirs import new_workdir, remove_stale_workdirs

log = logging.getLogger(__name__)


def reserve_key(settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path) -> str:
    """What a kernel started ahead must share with the notebook that takes it."""
    return json.dumps({"settings": settings.to_json(), "sandbox": sandbox.to_json(),
                       "dataset": str(Path(dataset_dir).resolve())}, sort_keys=True)


@dataclass
class Reserved:
    """A kernel launched ahead, in its own work folder (``root``, as :func:`new_workdir` makes)."""

    key: str
    root: Path
    launched: Launched

    @property
    def area(self) -> KernelArea:
        return self.launched.area

    def stop(self) -> None:
        """Stop the kernel; its folder stays (the notebook that took it may still need it)."""
        stop_launched(self.launched.km, self.launched.cgroups, self.launched.children_before)

    def discard(self) -> None:
        """Stop the kernel and remove its folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class KernelReserve:
    """At most one kernel waiting per notebook being executed by this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[Reserved] = []
        self._running = 0

    def take(self, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path) -> Reserved | None:
        """A live kernel launched for these settings, now the caller's; ``None`` when there is none."""
        key = reserve_key(settings, sandbox, dataset_dir)
        with self._lock:
            self._running += 1
            found = next((r for r in self._waiting if r.key == key), None)
            if found is not None:
                self._waiting.remove(found)
            stale = [r for r in self._waiting if r.key != key]  # another assignment's: not coming back
            self._waiting = [r for r in self._waiting if r.key == key]
        for reserved in stale:
            reserved.discard()
        if found is not None and not _alive(found):
            log.info("a kernel started ahead died while waiting; starting a fresh one")
            found.discard()
            return None
        return found

    def done(self) -> None:
        """The caller's notebook is finished (whether or not it took a reserved kernel)."""
        with self._lock:
            self._running = max(0, self._running - 1)

    def launch_next(self, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path) -> None:
        """Launch a kernel for the next notebook, unless one per running notebook already waits."""
        key = reserve_key(settings, sandbox, dataset_dir)
        with self._lock:
            if sum(r.key == key for r in self._waiting) >= self._running:
                return
        self._launch(key, settings, sandbox, dataset_dir)

    def launch_ahead(self, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path) -> None:
        """An idle worker (a server waiting for uploads) keeps one kernel ready for its first notebook."""
        key = reserve_key(settings, sandbox, dataset_dir)
        with self._lock:
            if any(r.key == key for r in self._waiting):
                return
        self._launch(key, settings, sandbox, dataset_dir)

    def _launch(self, key: str, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path) -> None:
        root = new_workdir()
        try:
            launched = launch_kernel(prepare_area(root, dataset_dir), settings, sandbox, dataset_dir)
        except Exception as exc:  # the next notebook starts its own kernel and reports what fails
            log.info("could not start a kernel ahead: %s: %s", type(exc).__name__, exc)
            shutil.rmtree(root, ignore_errors=True)
            return
        with self._lock:
            self._waiting.append(Reserved(key, root, launched))

    def close(self) -> None:
        """Stop every kernel still waiting and remove its folder."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for reserved in waiting:
            reserved.discard()


def _alive(reserved: Reserved) -> bool:
    try:
        return bool(run_sync(reserved.launched.km.is_alive)())
    except Exception as exc:  # noqa: BLE001 - a manager that cannot tell is treated as dead
        log.debug("kernel started ahead: %s", exc)
        return False


_WORKER: list[KernelReserve] = []  # this worker process's reserve, made by worker_reserve()
_WORKER_LOCK = threading.Lock()


def worker_reserve() -> KernelReserve:
    """The reserve of this worker process (created on first use, closed when the process exits).

    On first use it also removes the work folders that killed workers of this machine left
    behind (a Dask worker's machine has no ``grader run`` of its own to do it).
    """
    with _WORKER_LOCK:
        if not _WORKER:
            remove_stale_workdirs()
            reserve = KernelReserve()
            atexit.register(reserve.close)
            _WORKER.append(reserve)
        return _WORKER[0]
