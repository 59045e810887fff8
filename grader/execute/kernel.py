"""Start and stop one confined kernel, and the nbclient client that talks to it."""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from traitlets import Integer

from grader.execute.cgroups import KernelCgroups, create_kernel_cgroups
from grader.execute.environment import KERNEL_NAME, KernelArea, kernel_command, kernel_environment, write_kernelspec
from grader.execute.reaper import LIVE, children, reap_new_children
from grader.execute.sandbox import Sandbox, bubblewrap_argv, launcher_argv
from grader.spec import ExecutionSettings

log = logging.getLogger(__name__)

TIMEOUT_ENAME = "GraderCellTimeout"
IOPUB_TIMEOUT = 10  # seconds to wait for a cell's last output once it replied
# ... once it timed out and was interrupted: a kernel that obeys the interrupt is idle within
# milliseconds; one that ignores it is probed next (runner.py) and waiting on it is lost time
INTERRUPTED_IOPUB_TIMEOUT = 2
TRUNCATED = "\n[grader: output truncated here: the cell printed more than {limit} MB]\n"


class CappedClient(NotebookClient):
    """nbclient, keeping at most ``max_output_bytes`` of output per cell.

    A cell that prints hundreds of MB (or shows a huge image) does not fill the grader's
    memory; what was dropped is marked in the outputs.
    """

    max_output_bytes = Integer(2 * 2**20, help="output bytes kept per cell").tag(config=True)

    def start_cell(self) -> None:
        """Before each cell: its output budget, and the wait for its last output, start afresh."""
        self._output_used = 0
        self._output_truncated = False
        self.iopub_timeout = IOPUB_TIMEOUT

    async def _async_handle_timeout(self, timeout, cell=None):
        self.iopub_timeout = min(self.iopub_timeout, INTERRUPTED_IOPUB_TIMEOUT)
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(v) for v in content.get("data", {}).values() if isinstance(v, str))
        used = getattr(self, "_output_used", 0) + size
        self._output_used = used
        if used <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if not getattr(self, "_output_truncated", False):
            self._output_truncated = True
            outs.append({"output_type": "stream", "name": "stderr",
                         "text": TRUNCATED.format(limit=self.max_output_bytes // 2**20)})
        return None


@dataclass
class Launched:
    """A kernel process started in ``area``, not yet connected to a notebook's client."""

    km: AsyncKernelManager
    area: KernelArea
    cgroups: KernelCgroups
    children_before: set[int] = field(default_factory=set)

    @property
    def pid(self) -> int | None:
        return _kernel_pid(self.km)


def _kernel_pid(km: AsyncKernelManager | None) -> int | None:
    """The pid of the kernel's first process (the limits launcher, exec'd into bwrap or ipykernel)."""
    try:
        return km.provisioner.process.pid if km is not None and km.provisioner else None
    except AttributeError:
        return None


@dataclass
class Kernel:
    """A running kernel: its client, its cgroups, and this process's children before it."""

    client: CappedClient
    cgroups: KernelCgroups
    children_before: set[int] = field(default_factory=set)

    @property
    def pid(self) -> int | None:
        """The kernel's first process, leader of its process group."""
        return _kernel_pid(self.client.km)


def kernel_argv(area: KernelArea, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path,
                cgroups: KernelCgroups) -> list[str]:
    """The limits launcher (joins the cgroups, sets rlimits) + bubblewrap (when on) + ipykernel.

    The launcher runs first, outside the namespaces, where the cgroup files are visible;
    everything after it inherits its limits.
    """
    limits = launcher_argv(area.root, cpu_seconds=int(settings.cpu_seconds),
                           memory_bytes=int(settings.memory_mb) * 2**20,
                           file_bytes=int(settings.max_file_mb) * 2**20,
                           processes=int(settings.max_processes), cgroups=list(cgroups.folders))
    more = (Path(settings.cifar10.folder),) if settings.cifar10 is not None else ()
    confine = (bubblewrap_argv(sandbox, area.kernel, area.cwd, dataset_dir, tmp_bytes=int(settings.max_disk_mb) * 2**20,
                               more_datasets=more)
               if sandbox.bubblewrap else [])
    return limits + confine + kernel_command()


def launch_kernel(area: KernelArea, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path) -> Launched:
    """Start the kernel process (ZeroMQ over IPC sockets in the kernel's folder); do not wait for it."""
    before = children()
    cgroups = create_kernel_cgroups(int(settings.memory_mb) * 2**20, int(settings.max_processes))
    write_kernelspec(area, kernel_argv(area, settings, sandbox, dataset_dir, cgroups))
    for stale in area.ipc.glob("*"):
        stale.unlink()
    km = AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(area.kernelspecs)]),
        # IPC sockets: the kernel needs no network interface, so its namespace has none
        transport="ipc", ip=str(area.ipc / "k"), connection_file=str(area.ipc / "connection.json"),
    )
    launched = Launched(km, area, cgroups, before)
    try:
        with LIVE.lock:  # no other kernel's stop may see this process before it is registered
            run_sync(km.start_kernel)(cwd=str(area.cwd), env=kernel_environment(area, settings))
            LIVE.add(launched.pid)
    except BaseException:
        _stop(km, launched.pid, cgroups, before)
        raise
    return launched


def connect_kernel(launched: Launched, nb, settings: ExecutionSettings, on_cell_executed: Callable) -> Kernel:
    """nbclient's client for ``nb`` on a launched kernel, once the kernel answers."""
    # On timeout nbclient interrupts the kernel and reports this error reply; its own
    # message flow stays consistent (raising CellTimeoutError leaves a reader behind).
    client = CappedClient(
        nb, km=launched.km, allow_errors=True, interrupt_on_timeout=True, record_timing=False,
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "cell timed out", "traceback": []},
        startup_timeout=int(settings.startup_timeout), iopub_timeout=IOPUB_TIMEOUT,
        max_output_bytes=int(settings.max_output_kb) * 1024,
        resources={"metadata": {"path": str(launched.area.cwd)}}, on_cell_executed=on_cell_executed,
    )
    kernel = Kernel(client, launched.cgroups, launched.children_before)
    try:
        client.setup_kernel().__enter__()  # the kernel is started: this connects and waits until it answers
    except BaseException:
        stop_kernel(kernel)
        raise
    return kernel


def start_kernel(nb, area: KernelArea, settings: ExecutionSettings, sandbox: Sandbox, dataset_dir: Path,
                 on_cell_executed: Callable) -> Kernel:
    """Start a fresh kernel for ``nb`` and wait until it answers."""
    return connect_kernel(launch_kernel(area, settings, sandbox, dataset_dir), nb, settings, on_cell_executed)


def stop_kernel(kernel: Kernel | None) -> None:
    """Shut the kernel down and make sure nothing it started is left running."""
    if kernel is None:
        return
    stop_launched(kernel.client.km, kernel.cgroups, kernel.children_before)


def stop_launched(km: AsyncKernelManager | None, cgroups: KernelCgroups, children_before: set[int]) -> None:
    """Shut down a kernel given by its manager (connected to a client or not)."""
    _stop(km, _kernel_pid(km), cgroups, children_before)


def _stop(km: AsyncKernelManager | None, pid: int | None, cgroups: KernelCgroups, children_before: set[int]) -> None:
    LIVE.discard(pid)
    if km is not None:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception as exc:  # a kernel that is already gone cannot be shut down
            log.debug("kernel shutdown: %s", exc)
    if pid:
        try:  # the kernel runs in its own session: take its whole group down with it
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    cgroups.destroy()
    reap_new_children(children_before)  # what this kernel left behind: never another kernel or judge
