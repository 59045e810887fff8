"""The private working area and environment of one kernel.

Each submission gets its own folder: a part the kernel can see (working directory,
home, temporary files, Keras cache, exports, IPC sockets) and a part it cannot (the
collected artifacts, the kernelspec); nothing is shared between kernels.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.spec import ExecutionSettings

KERNEL_NAME = "grader-python"


@dataclass(frozen=True)
class KernelArea:
    """Folders of one kernel's run. Only ``kernel`` is visible (read-write) to the kernel."""

    root: Path

    @property
    def kernel(self) -> Path:
        return self.root / "k"

    @property
    def cwd(self) -> Path:
        return self.kernel / "work"

    @property
    def home(self) -> Path:
        return self.kernel / "home"

    @property
    def tmp(self) -> Path:
        return self.kernel / "tmp"

    @property
    def keras_home(self) -> Path:
        return self.kernel / "keras"

    @property
    def exports(self) -> Path:
        """Where the harvest writes, inside the kernel's reach."""
        return self.kernel / "exports"

    @property
    def ipc(self) -> Path:
        return self.kernel / "ipc"

    @property
    def artifacts(self) -> Path:
        """Where the grader moves each harvest, out of the kernel's reach."""
        return self.root / "artifacts"

    @property
    def kernelspecs(self) -> Path:
        return self.root / "kernels"


def prepare_area(root: Path, dataset_dir: Path) -> KernelArea:
    """Create the folders and seed the Keras dataset cache."""
    area = KernelArea(Path(root))
    for folder in (area.cwd, area.home, area.tmp, area.exports, area.ipc, area.artifacts,
                   area.keras_home / "datasets"):
        folder.mkdir(parents=True, exist_ok=True)
    # keras.datasets.fashion_mnist.load_data() looks in $KERAS_HOME/datasets/fashion-mnist
    # and downloads only when the files are missing: a link makes it read the local copy.
    link = area.keras_home / "datasets" / "fashion-mnist"
    if not link.exists():
        link.symlink_to(Path(dataset_dir).resolve(), target_is_directory=True)
    return area


def write_kernelspec(area: KernelArea, argv: list[str]) -> None:
    """A kernelspec whose command is ``argv`` (sandbox + limits + ipykernel)."""
    spec_dir = area.kernelspecs / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    # interrupts go as messages on the control channel: a SIGINT would reach the launcher
    # or bubblewrap, not the kernel inside it
    spec = {"argv": argv, "display_name": "grader (Python 3)", "language": "python", "interrupt_mode": "message"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


def kernel_command() -> list[str]:
    # the grader's own interpreter: the kernel sees the same TensorFlow/Keras versions
    return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def kernel_environment(area: KernelArea, settings: ExecutionSettings) -> dict[str, str]:
    """Environment variables of the kernel process (no inherited secrets beyond PATH/LANG)."""
    threads = str(settings.threads)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV")}
    return {
        **keep,
        "HOME": str(area.home),
        "KERAS_HOME": str(area.keras_home),
        "TMPDIR": str(area.tmp),
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": str(settings.seed),
        "PYTHONDONTWRITEBYTECODE": "1",
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # parallel kernels must not oversubscribe the cores
        "OMP_NUM_THREADS": threads,
        "TF_NUM_INTRAOP_THREADS": threads,
        "TF_NUM_INTEROP_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "KMP_WARNINGS": "0",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
