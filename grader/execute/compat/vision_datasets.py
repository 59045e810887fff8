"""The torchvision substitute's ``datasets.CIFAR10``: the grader's CIFAR-10 folder, never the network.

``CIFAR10(root, train=True, transform=None, target_transform=None, download=False)``
behaves as torchvision's: ``.data`` is uint8 ``N×32×32×3``, ``.targets`` a list of ints,
``.classes`` the ten names, items are ``(PIL.Image, int)`` or what the transforms make of
them. It reads the folder the grader chose (``cifar-10-batches-py``, validated by the
grader before the run: see :mod:`grader.cifar10`), whatever ``root`` and ``download``
say; without one it raises a clear error naming the instructor.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import os

from .events import say

# ------------------------------------------------------------------- CIFAR-10
CIFAR10_BASE_FOLDER = "cifar-10-batches-py"
CIFAR10_TRAIN_FILES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5")
CIFAR10_TEST_FILES = ("test_batch",)
CIFAR10_META_FILE = "batches.meta"


def _cifar10_entry(path):
    """One batch file of the grader's folder as a dict with str keys (the files may hold bytes keys)."""
    import pickle

    with open(path, "rb") as handle:
        entry = pickle.load(handle, encoding="latin1")
    return {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in entry.items()}


def _cifar10_class(folder):
    """The ``CIFAR10`` class reading ``folder`` (a ``cifar-10-batches-py`` folder), or raising when it is None."""
    import torch.utils.data

    class CIFAR10(torch.utils.data.Dataset):
        """CIFAR-10 as torchvision gives it, read from the grader's folder (``root`` and ``download`` are not used)."""

        base_folder = CIFAR10_BASE_FOLDER

        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            import numpy as np

            if folder is None or not os.path.isdir(folder):
                raise RuntimeError(say("kernel.vision.cifar10_missing"))
            self.root = os.path.expanduser(root) if isinstance(root, str) else root
            self.train, self.transform, self.target_transform = train, transform, target_transform
            data, targets = [], []
            for name in CIFAR10_TRAIN_FILES if train else CIFAR10_TEST_FILES:
                entry = _cifar10_entry(os.path.join(folder, name))
                data.append(np.asarray(entry["data"], dtype=np.uint8))
                targets.extend(int(t) for t in entry["labels" if "labels" in entry else "fine_labels"])
            self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
            self.targets = targets
            meta = _cifar10_entry(os.path.join(folder, CIFAR10_META_FILE))
            self.classes = [name.decode("latin1") if isinstance(name, bytes) else str(name)
                            for name in meta["label_names"]]
            self.class_to_idx = {name: index for index, name in enumerate(self.classes)}

        def __getitem__(self, index):
            from PIL import Image

            img, target = Image.fromarray(self.data[index]), self.targets[index]
            if self.transform is not None:
                img = self.transform(img)
            if self.target_transform is not None:
                target = self.target_transform(target)
            return img, target

        def __len__(self):
            return len(self.data)

        def __repr__(self):
            lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                     f"    Root location: {self.root}", f"    Split: {'Train' if self.train is True else 'Test'}"]
            if self.transform is not None:
                lines.append("    StandardTransform")
                lines.append("Transform: " + repr(self.transform).replace("\n", "\n           "))
            return "\n".join(lines)

    return CIFAR10
