"""The private working area and environment of one kernel.

Each submission gets its own folder holding the kernel's working directory, home,
Keras cache and the exported artifacts; nothing is shared between kernels.
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
    """Folders of one kernel's run."""

    root: Path

    @property
    def cwd(self) -> Path:
        return self.root / "work"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def keras_home(self) -> Path:
        return self.root / "keras"

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def kernelspecs(self) -> Path:
        return self.root / "kernels"


def prepare_area(root: Path, dataset_dir: Path) -> KernelArea:
    """Create the folders, seed the Keras dataset cache, and write the kernelspec."""
    area = KernelArea(Path(root))
    for folder in (area.cwd, area.home, area.artifacts, area.root / "tmp", area.keras_home / "datasets"):
        folder.mkdir(parents=True, exist_ok=True)
    # keras.datasets.fashion_mnist.load_data() looks in $KERAS_HOME/datasets/fashion-mnist
    # and downloads only when the files are missing: a link makes it read the local copy.
    link = area.keras_home / "datasets" / "fashion-mnist"
    if not link.exists():
        link.symlink_to(Path(dataset_dir).resolve(), target_is_directory=True)
    spec_dir = area.kernelspecs / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        # the grader's own interpreter: the kernel sees the same TensorFlow/Keras versions
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "grader (Python 3)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return area


def kernel_environment(area: KernelArea, settings: ExecutionSettings) -> dict[str, str]:
    """Environment variables of the kernel process (no inherited secrets beyond PATH/LANG)."""
    threads = str(settings.threads)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV")}
    return {
        **keep,
        "HOME": str(area.home),
        "KERAS_HOME": str(area.keras_home),
        "TMPDIR": str(area.root / "tmp"),
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": str(settings.seed),
        "PYTHONDONTWRITEBYTECODE": "1",
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        # parallel kernels must not oversubscribe the cores
        "OMP_NUM_THREADS": threads,
        "TF_NUM_INTRAOP_THREADS": threads,
        "TF_NUM_INTEROP_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "KMP_WARNINGS": "0",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
