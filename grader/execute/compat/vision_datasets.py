"""The torchvision substitute's ``datasets.CIFAR10`` and ``datasets.FashionMNIST``: the grader's folders, never the network.

``CIFAR10(root, train=True, transform=None, target_transform=None, download=False)``
behaves as torchvision's: ``.data`` is uint8 ``N×32×32×3``, ``.targets`` a list of ints,
``.classes`` the ten names, items are ``(PIL.Image, int)`` or what the transforms make of
them. It reads the folder the grader chose (``cifar-10-batches-py``, validated by the
grader before the run: see :mod:`grader.cifar10`), whatever ``root`` and ``download``
say; without one it raises a clear error naming the instructor. ``FashionMNIST`` reads the
four IDX files the grader put in the kernel (the folder Keras's ``load_data()`` reads too):
``.data`` uint8 ``N×28×28``, ``.targets`` int64, items ``(PIL.Image mode L, int)``.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import os

from .events import say

# ------------------------------------------------------------------- CIFAR-10
CIFAR10_BASE_FOLDER = "cifar-10-batches-py"
CIFAR10_TRAIN_FILES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5")
CIFAR10_TEST_FILES = ("test_batch",)
CIFAR10_META_FILE = "batches.meta"


def _vision_dataset():
    """The base of the substitute's datasets: items, length and text as torchvision's ``VisionDataset``."""
    import torch.utils.data

    class VisionDataset(torch.utils.data.Dataset):
        def _item(self, index):
            from PIL import Image

            return Image.fromarray(self.data[index]), self.targets[index]

        def __getitem__(self, index):
            img, target = self._item(index)
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

    return VisionDataset


def _cifar10_entry(path):
    """One batch file of the grader's folder as a dict with str keys (the files may hold bytes keys)."""
    import pickle

    with open(path, "rb") as handle:
        entry = pickle.load(handle, encoding="latin1")
    return {key.decode("latin1") if isinstance(key, bytes) else key: value for key, value in entry.items()}


def _cifar10_class(folder):
    """The ``CIFAR10`` class reading ``folder`` (a ``cifar-10-batches-py`` folder), or raising when it is None."""
    class CIFAR10(_vision_dataset()):
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

    return CIFAR10


# ------------------------------------------------------------------- Fashion-MNIST
FASHION_MNIST_FILES = {True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                       False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot")


def _idx(path):
    """An IDX file (gzip) as a uint8 array of its dimensions."""
    import gzip

    import numpy as np

    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _fashion_mnist_class(folder):
    """The ``FashionMNIST`` class reading ``folder`` (the four ``.gz`` files), or raising when it is None."""
    import torch

    class FashionMNIST(_vision_dataset()):
        """Fashion-MNIST as torchvision gives it, read from the grader's copy (``root`` and ``download`` are not used)."""

        classes = list(FASHION_MNIST_CLASSES)

        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            if folder is None or not os.path.isdir(folder):
                raise RuntimeError(say("kernel.vision.fashion_mnist_missing"))
            self.root = os.path.expanduser(root) if isinstance(root, str) else root
            self.train, self.transform, self.target_transform = train, transform, target_transform
            images, labels = FASHION_MNIST_FILES[bool(train)]
            self.data = torch.from_numpy(_idx(os.path.join(folder, images)).copy())
            self.targets = torch.from_numpy(_idx(os.path.join(folder, labels)).astype("int64"))
            self.class_to_idx = {name: index for index, name in enumerate(self.classes)}

        def _item(self, index):
            from PIL import Image

            return Image.fromarray(self.data[index].numpy(), mode="L"), int(self.targets[index])

    return FashionMNIST
