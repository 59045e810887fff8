"""Find Fashion-MNIST on disk and read it; nothing is ever downloaded.

The files come from Debian's ``dataset-fashion-mnist`` package or a folder the user
names (``--data-dir`` / ``GRADER_DATA_DIR``).
"""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.errors import DatasetMissingError
from grader.serial import JsonData

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
MISSING = (
    "Fashion-MNIST not found in {where}. Install it with 'sudo apt-get install dataset-fashion-mnist' "
    "(Debian/Ubuntu), or pass --data-dir / set GRADER_DATA_DIR to a folder holding {files}."
)
KERAS_FOUND = " Keras already downloaded them to {keras}: --data-dir {keras}"


def _has_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def keras_cache_dir() -> Path:
    """Where ``keras.datasets.fashion_mnist.load_data()`` keeps what it downloaded."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets" / "fashion-mnist"


def dataset_folders(data_dir: Path | str | None = None) -> tuple[Path, ...]:
    """Every folder that may hold dataset files: the judge process must see none of them.

    Debian's datasets folder (all of it), the folder in use, and Keras' download cache.
    """
    folders = [DEBIAN_DIR.parent, Path.home() / ".keras" / "datasets"]
    if data_dir:
        folders.append(Path(data_dir))
    return tuple(folders)


def find_fashion_mnist(data_dir: Path | str | None = None) -> Path:
    """The folder holding the four Fashion-MNIST ``.gz`` files, or a clear error (naming Keras's own copy)."""
    folder = Path(data_dir) if data_dir else DEBIAN_DIR
    if _has_files(folder):
        return folder
    keras = keras_cache_dir()
    found = _has_files(keras)
    params = dict(where=str(folder), files=", ".join(FILES), keras=str(keras))
    text = MISSING.format(**params) + (KERAS_FOUND.format(**params) if found else "")
    raise DatasetMissingError(text, "usage.dataset.missing_keras_found" if found else "usage.dataset.missing",
                              **params)


def needs_dataset(assignment) -> bool:
    """The assignment evaluates models on Fashion-MNIST, or its notebooks load it.

    ``assignment``: a :class:`grader.spec.Assignment` (not imported: the spec imports this module).
    """
    if assignment.execution.evaluations:
        return True
    for path in (assignment.notebook_path, assignment.reference_path):
        try:
            if "fashion_mnist" in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def dataset_dir_for(assignment, data_dir: Path | str | None = None) -> Path:
    """Fashion-MNIST's folder; for an assignment that does not use it and a machine without it, an empty one.

    The kernel's Keras cache is seeded from this folder: empty, a notebook that loads the
    dataset anyway fails in its own cell, not the whole run.
    """
    try:
        return find_fashion_mnist(data_dir)
    except DatasetMissingError:
        if needs_dataset(assignment):
            raise
    empty = Path(tempfile.gettempdir()) / "grader-no-dataset"
    empty.mkdir(exist_ok=True)
    return empty


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # uint8, (n, 28, 28)
    labels: np.ndarray  # uint8, (n,)


def _read_idx(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=offset)


def load_test_split(folder: Path) -> Split:
    """The 10,000 test images and labels, read in the grader's own process."""
    labels = _read_idx(folder / "t10k-labels-idx1-ubyte.gz", 8)
    images = _read_idx(folder / "t10k-images-idx3-ubyte.gz", 16).reshape(len(labels), 28, 28)
    return Split(images, labels)


# Held-out splits the grader evaluates models on, by the name a spec uses as ``source``,
# and how many classes each has (a confusion matrix is sized by these, whatever a model outputs).
SOURCES = {"fashion_mnist_test": load_test_split}
SOURCE_CLASSES = {"fashion_mnist_test": 10}


@dataclass(frozen=True)
class EvaluationSpec(JsonData):
    """A dataset models are evaluated on: a source split, optionally grouped into two classes.

    With ``positive`` set, the classes listed become label 1 and every other class label 0
    (e.g. Vestuário vs Calçado/Malas); without it the source's own labels are used.
    """

    name: str
    source: str
    positive: tuple[int, ...] = ()

    @property
    def binary(self) -> bool:
        return bool(self.positive)

    @property
    def classes(self) -> int:
        """How many classes the labels have: 2 for a grouped dataset, else the source's."""
        return 2 if self.binary else SOURCE_CLASSES[self.source]

    def load(self, folder: Path) -> Split:
        split = SOURCES[self.source](folder)
        if not self.positive:
            return split
        labels = np.isin(split.labels, self.positive).astype(np.uint8)
        return Split(split.images, labels)
