"""CIFAR-10 from a folder the instructor names, checked before the run; and the grader's synthetic sets.

The instructor's folder is in torchvision's own layout: ``cifar-10-batches-py/`` (five
``data_batch_N``, ``test_batch``, ``batches.meta``) or the ``cifar-10-python.tar.gz``
torchvision downloads, in the folder or the folder itself. Nothing is downloaded, and
the grader never unpickles these files (the kernel does, when the notebook loads them).

Two kinds of folder are accepted:

* **real**: every file's md5 is the one torchvision publishes (``cifar.py``); the archive's
  too, before it is extracted (only the known members, safely) into a grader folder;
* **synthetic**: written by :func:`write_synthetic_cifar10` (tests, the judge, demos),
  certified by the manifest it writes next to the files (``grader-synthetic.json``: the
  sha256 of each file). A manifest only proves that the files are the ones a grader
  wrote: it never makes a folder *real*, every result and report says the data was
  synthetic, and a folder that is neither (edited files, a partial copy) is refused. The
  real-data check is therefore not weakened: a folder passes as real only with
  torchvision's md5 sums.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from grader.errors import DatasetMissingError
from grader.serial import JsonData

BASE_FOLDER = "cifar-10-batches-py"
ARCHIVE = "cifar-10-python.tar.gz"
# torchvision/datasets/cifar.py: tgz_md5, train_list, test_list and meta's md5
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
FILE_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
TRAIN_FILES = tuple(f"data_batch_{n}" for n in range(1, 6))
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
MANIFEST = "grader-synthetic.json"
MANIFEST_KIND = "grader synthetic CIFAR-10"
REAL_DIGEST = "torchvision-md5"
MAX_MANIFEST_BYTES = 64 * 1024


@dataclass(frozen=True)
class Cifar10Data(JsonData):
    """A checked CIFAR-10 folder: what the kernel reads, and whether it is torchvision's real set."""

    folder: str  # a folder named cifar-10-batches-py
    synthetic: bool
    digest: str  # REAL_DIGEST, or the sha256 of a synthetic set's manifest: what the facts' cache key holds
    source: str = ""  # the folder the instructor named (an archive's, say): hidden from the judge too

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every folder holding these files: what the judge must not see."""
        return tuple(Path(f) for f in dict.fromkeys((self.folder, self.source)) if f)


@dataclass(frozen=True)
class SyntheticCifar10(JsonData):
    """How a synthetic set is made: images per class in each split, and the seed. Same spec, same bytes."""

    train_counts: tuple[int, ...] = (10,) * 10
    test_counts: tuple[int, ...] = (5,) * 10
    seed: int = 0


@dataclass(frozen=True)
class Cifar10Arrays:
    """A split as the files hold it: uint8 images ``N×32×32×3`` and int labels."""

    images: np.ndarray
    labels: np.ndarray


# what the judge process reads when a notebook's definitions build ``datasets.CIFAR10``: small, known targets
JUDGE_SET = SyntheticCifar10(train_counts=(20,) * 10, test_counts=(10,) * 10, seed=0)


def cifar10_kind(data: "Cifar10Data | None") -> str:
    """What the facts and results say of a run's CIFAR-10: ``real``, ``synthetic``, or ``""`` (none provided)."""
    return "" if data is None else ("synthetic" if data.synthetic else "real")


class Cifar10Error(DatasetMissingError):
    """The folder named for CIFAR-10 holds no usable set."""


# ------------------------------------------------------------------ synthetic sets
def synthetic_split(counts: Sequence[int], seed: int) -> Cifar10Arrays:
    """``counts[c]`` images of class ``c``, shuffled: each class a colour of its own plus noise (learnable)."""
    if len(counts) != len(CLASSES) or any(int(c) < 0 for c in counts):
        raise ValueError(f"counts must be {len(CLASSES)} non-negative numbers, got {list(counts)}")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASSES)), [int(c) for c in counts])
    labels = labels[rng.permutation(len(labels))]
    palette = np.random.default_rng(12345).integers(30, 226, size=(len(CLASSES), 3))
    noise = rng.integers(-30, 31, size=(len(labels), 32, 32, 3))
    images = np.clip(palette[labels][:, None, None, :] + noise, 0, 255).astype(np.uint8)
    return Cifar10Arrays(images, labels.astype(np.int64))


def synthetic_arrays(spec: SyntheticCifar10) -> tuple[Cifar10Arrays, Cifar10Arrays]:
    """The train and test splits of ``spec`` (what the files written for it hold), without writing them."""
    return synthetic_split(spec.train_counts, spec.seed), synthetic_split(spec.test_counts, spec.seed + 1)


def _batch(split: Cifar10Arrays, label: str) -> bytes:
    """One batch file's bytes: torchvision reads ``data`` (N×3072, channel planes) and ``labels``."""
    entry = {"batch_label": label, "labels": [int(v) for v in split.labels],
             "data": np.ascontiguousarray(split.images.transpose(0, 3, 1, 2).reshape(len(split.labels), 3072)),
             "filenames": [f"synthetic_{n:05d}.png" for n in range(len(split.labels))]}
    return pickle.dumps(entry, protocol=2)


def write_synthetic_cifar10(root: Path | str, spec: SyntheticCifar10 = SyntheticCifar10()) -> Cifar10Data:
    """Write ``spec``'s set under ``root`` in torchvision's layout, with the manifest that certifies it."""
    folder = Path(root) / BASE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    train, test = synthetic_arrays(spec)
    parts = np.array_split(np.arange(len(train.labels)), len(TRAIN_FILES))
    blobs = {name: _batch(Cifar10Arrays(train.images[part], train.labels[part]), f"training batch {n + 1} of 5")
             for n, (name, part) in enumerate(zip(TRAIN_FILES, parts))}
    blobs["test_batch"] = _batch(test, "testing batch 1 of 1")
    blobs["batches.meta"] = pickle.dumps({"label_names": list(CLASSES), "num_vis": 3072,
                                          "num_cases_per_batch": max(1, len(parts[0]))}, protocol=2)
    for name, blob in blobs.items():
        (folder / name).write_bytes(blob)
    manifest = {"kind": MANIFEST_KIND, "spec": spec.to_json(),
                "files": {name: hashlib.sha256(blob).hexdigest() for name, blob in sorted(blobs.items())}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return Cifar10Data(str(folder.resolve()), True, _manifest_digest(folder / MANIFEST))


# ------------------------------------------------------------------ checking a folder
def _digest(path: Path, algorithm: str) -> str:
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _manifest_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_real(folder: Path) -> bool:
    return all((folder / name).is_file() and _digest(folder / name, "md5") == md5 for name, md5 in FILE_MD5.items())


def _certified_synthetic(folder: Path) -> bool:
    """The manifest a grader wrote is there and every file is the one it names (sha256)."""
    path = folder / MANIFEST
    try:
        if not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return False
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if manifest.get("kind") != MANIFEST_KIND or not isinstance(files, dict) or set(files) != set(FILE_MD5):
        return False
    return all((folder / name).is_file() and _digest(folder / name, "sha256") == files[name] for name in FILE_MD5)


def _extract_archive(archive: Path, cache: Path) -> Path:
    """The archive's seven files, extracted (once) into ``cache``; the archive's md5 is checked first."""
    target = cache / ARCHIVE_MD5 / BASE_FOLDER
    if target.is_dir() and _is_real(target):
        return target
    if _digest(archive, "md5") != ARCHIVE_MD5:
        raise Cifar10Error(f"{archive} is not torchvision's CIFAR-10 archive (its md5 differs)",
                           "usage.cifar10.archive_md5", archive=str(archive))
    target.mkdir(parents=True, exist_ok=True)
    wanted = {f"{BASE_FOLDER}/{name}" for name in FILE_MD5}
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name in wanted and m.isfile()]
        tar.extractall(target.parent, members=members, filter="data")
    return target


def _batches_folder(folder: Path) -> Path | None:
    """Where the seven files are in a folder in torchvision's layout, or None."""
    for candidate in (folder, folder / BASE_FOLDER):
        if candidate.name == BASE_FOLDER and (candidate / "test_batch").is_file():
            return candidate
    return None


def find_cifar10(folder: Path | str | None, cache: Path | str | None = None) -> Cifar10Data | None:
    """The instructor's CIFAR-10 folder, checked (None when none is named); a clear error when it is unusable.

    ``cache``: where an archive is extracted (default: a ``grader-cifar10`` folder in the
    system's temporary folder, reused while its files keep their md5).
    """
    if folder is None:
        return None
    folder = Path(folder).expanduser().resolve()
    batches = _batches_folder(folder)
    if batches is None and (folder / ARCHIVE).is_file():
        cache = Path(cache) if cache else Path(tempfile.gettempdir()) / "grader-cifar10"
        batches = _extract_archive(folder / ARCHIVE, cache)
    if batches is None:
        raise Cifar10Error(f"no CIFAR-10 in {folder}: expected {BASE_FOLDER}/ (torchvision's layout) or {ARCHIVE}",
                           "usage.cifar10.missing", where=str(folder), base=BASE_FOLDER, archive=ARCHIVE)
    if _is_real(batches):
        return Cifar10Data(str(batches), False, REAL_DIGEST, str(folder))
    if _certified_synthetic(batches):
        return Cifar10Data(str(batches), True, _manifest_digest(batches / MANIFEST), str(folder))
    raise Cifar10Error(f"the CIFAR-10 files in {batches} are not torchvision's (their md5 differs) "
                       "nor a synthetic set the grader wrote", "usage.cifar10.corrupt", where=str(batches))
