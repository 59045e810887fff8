"""How a kernel is confined: bubblewrap namespaces, resource limits, cgroups.

Modes (``--isolation``):

* ``strict``: bubblewrap is required (no network, private /tmp, only the system, Python,
  the dataset and the kernel's own folder visible); the run fails if it is unavailable.
* ``auto`` (default): strict when bubblewrap works here, otherwise *degraded*: resource
  limits, its own session and folders, but the network and the file system stay
  reachable. The run summary and results.json say which mode was used.
* ``none``: resource limits only (for debugging a notebook).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from grader.errors import GraderError
from grader.serial import JsonData

log = logging.getLogger(__name__)

MODES = ("auto", "strict", "none")
LAUNCHER = Path(__file__).with_name("limits.py")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# what the system binds show, so where a folder to hide may be (with the Python roots: a
# dataset inside a virtualenv is hidden too)
VISIBLE_ROOTS = tuple(f"{d}/" for d in SYSTEM_DIRS) + ("/etc/",)
# /etc is not bound whole: only what Python, NumPy, TensorFlow and matplotlib read
ETC_FILES = ("passwd", "group", "hosts", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
             "localtime", "ssl", "alternatives", "mime.types", "fonts")


class SandboxUnavailable(GraderError):
    """Strict isolation was required but bubblewrap cannot run here."""


@dataclass(frozen=True)
class Sandbox(JsonData):
    """The isolation a run uses; ``bubblewrap`` is the bwrap path when namespaces are on."""

    requested: str = "auto"
    bubblewrap: str | None = None
    reason: str = ""

    @property
    def level(self) -> str:
        return "strict" if self.bubblewrap else ("none" if self.requested == "none" else "degraded")


@lru_cache(maxsize=4)
def _bubblewrap_problem(bwrap: str) -> str:
    """Why bwrap cannot confine a process here ('' when it can)."""
    probe = [bwrap, "--die-with-parent", "--unshare-net", "--unshare-pid", "--ro-bind", "/", "/",
             "--dev", "/dev", "--proc", "/proc", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return "" if done.returncode == 0 else (done.stderr.strip() or f"exit status {done.returncode}")


def resolve_sandbox(mode: str = "auto") -> Sandbox:
    """The isolation this machine gives for ``mode``; raise if ``strict`` is impossible."""
    if mode not in MODES:
        raise GraderError(f"unknown isolation mode '{mode}': use one of {', '.join(MODES)}")
    if mode == "none":
        return Sandbox(mode, None, "isolation disabled (--isolation none)")
    bwrap = shutil.which("bwrap")
    problem = "bubblewrap (bwrap) is not installed" if bwrap is None else _bubblewrap_problem(bwrap)
    if not problem:
        return Sandbox(mode, bwrap, "")
    if mode == "strict":
        raise SandboxUnavailable(
            f"--isolation strict needs bubblewrap, but {problem}. Install it with "
            "'sudo apt-get install bubblewrap' (Debian/Ubuntu), or use --isolation auto to run degraded.")
    return Sandbox(mode, None, problem)


def _system_binds() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        path = f"/etc/{name}"
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def _python_roots(path: list[str] | None = None) -> list[str]:
    """The interpreter, its standard library and the environment holding the packages (outside /usr).

    Package folders on ``sys.path`` outside the environment count too: the user's site
    (``pip install --user``), a site folder a ``.pth`` file adds. Other entries of the path
    (``PYTHONPATH``: a checkout holding ``reference/``) are not shown to the kernel.
    """
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    roots |= {entry for entry in (sys.path if path is None else path)
              if os.path.isabs(entry) and os.path.basename(entry.rstrip("/")) in ("site-packages", "dist-packages")}
    return [root for root in sorted(roots)
            if root and os.path.isdir(root) and not root.startswith(("/usr", "/bin", "/lib"))]


def _python_binds(path: list[str] | None = None) -> list[str]:
    args: list[str] = []
    for root in _python_roots(path):
        args += ["--ro-bind", root, root]
    return args


def _masks(hide: tuple[Path, ...]) -> list[str]:
    """An empty tmpfs over each folder of ``hide`` that the binds above would show."""
    visible = VISIBLE_ROOTS + tuple(f"{root}/" for root in _python_roots())
    args: list[str] = []
    for folder in sorted({os.path.realpath(str(f)) for f in hide}):
        if os.path.isdir(folder) and folder.startswith(visible):
            args += ["--tmpfs", folder]
    return args


def bubblewrap_argv(sandbox: Sandbox, area_root: Path, cwd: Path, dataset_dir: Path | None,
                    hide: tuple[Path, ...] = (), tmp_bytes: int | None = None,
                    more_datasets: tuple[Path, ...] = ()) -> list[str]:
    """The bwrap prefix confining a kernel to ``area_root`` (read-write) and read-only system files.

    ``dataset_dir`` None: the dataset is not bound. ``hide``: folders made empty even where a
    system bind would show them (the judge sees no dataset: ``/usr/share/datasets`` is under
    ``/usr``). ``tmp_bytes``: the size of the private ``/tmp``. ``more_datasets``: other
    folders the kernel reads, bound read-only (the instructor's CIFAR-10).
    """
    dataset = []
    for folder in ((dataset_dir,) if dataset_dir else ()) + tuple(more_datasets):
        dataset += ["--ro-bind", str(Path(folder).resolve()), str(Path(folder).resolve())]
    area = str(Path(area_root).resolve())
    tmp = (["--size", str(int(tmp_bytes))] if tmp_bytes else []) + ["--tmpfs", "/tmp"]
    return [
        sandbox.bubblewrap or "bwrap",
        "--die-with-parent", "--new-session",
        # no network at all (ZeroMQ uses IPC sockets in the kernel's folder), and its own
        # process tree: when the kernel's first process ends, every process it left dies
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        # mounts apply in order: the private /tmp first, so that binds of paths under /tmp
        # (a checkout or virtualenv there, the kernel's own folder) are not hidden by it
        *tmp, "--dev", "/dev", "--proc", "/proc",
        *_system_binds(), *_python_binds(), *_masks(hide),
        *dataset,
        "--bind", area, area,
        "--chdir", str(cwd),
        # in its own PID namespace the kernel's parent is pid 1: ipykernel would take that
        # for "the grader died" and quit; --die-with-parent already ties it to the grader
        "--unsetenv", "JPY_PARENT_PID",
        "--",
    ]


def launcher_argv(area_root: Path, *, cpu_seconds: int, memory_bytes: int, file_bytes: int, processes: int,
                  cgroups: list[str]) -> list[str]:
    """``python limits.py ... --`` (a copy in the grader's part of the kernel's folder)."""
    launcher = Path(area_root) / "limits.py"
    shutil.copyfile(LAUNCHER, launcher)
    args = [sys.executable, str(launcher), "--cpu", str(cpu_seconds), "--memory", str(memory_bytes),
            "--fsize", str(file_bytes), "--nproc", str(processes)]
    for folder in cgroups:
        args += ["--cgroup", folder]
    return args + ["--"]
