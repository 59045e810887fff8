"""``import torchvision``: the real library when it imports, else the grader's substitute; CIFAR-10 from the grader's folder.

The real torchvision is tried first, when the notebook first imports it. If it imports,
``datasets.CIFAR10`` is redirected to the grader's folder with ``download=False`` (the
grader checked the files before the run, so their md5 is not computed again here). If it
is missing or fails to import (a wheel built for another torch: ``operator
torchvision::nms does not exist``), the module becomes the substitute made of
:mod:`.vision_transforms` and :mod:`.vision_datasets`, and the event is recorded once so
the report says so. Either way the network is never used.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import types

from .events import say
from .vision_datasets import CIFAR10_BASE_FOLDER, _cifar10_class
from .vision_transforms import TRANSFORMS

# ------------------------------------------------------------------- torchvision
SUBSTITUTE_VERSION = "0.0.0+grader.substitute"


class _Unsupported(importlib.abc.Loader):
    """A ``torchvision.<name>`` the substitute does not have: its import fails with a clear message."""

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ModuleNotFoundError(say("kernel.vision.unsupported", name=module.__name__), name=module.__name__)


def _substitute_module(name, attributes, doc):
    module = types.ModuleType(name, doc)
    for key, value in attributes.items():
        if isinstance(value, type):
            value.__module__ = name
        setattr(module, key, value)
    module.__grader_stand_in__ = True

    def __getattr__(attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise AttributeError(say("kernel.vision.unsupported", name=f"{name}.{attribute}"))

    module.__getattr__ = __getattr__
    return module


def _fill_substitute(module, folder):
    """Turn the half-imported ``module`` into the substitute (its datasets and transforms registered)."""
    for name in [key for key in sys.modules if key.startswith("torchvision.")]:
        del sys.modules[name]  # what the failed import left behind
    keep = {"__name__", "__loader__", "__spec__", "__package__"}
    for key in [key for key in vars(module) if key not in keep]:
        delattr(module, key)
    datasets = _substitute_module("torchvision.datasets", {"CIFAR10": _cifar10_class(folder)},
                                  "The grader's substitute for torchvision.datasets (CIFAR10 only).")
    transforms = _substitute_module("torchvision.transforms", dict(TRANSFORMS),
                                    "The grader's substitute for torchvision.transforms (the course's transforms).")
    module.__path__ = []
    module.__doc__ = "The grader's substitute for torchvision (datasets.CIFAR10 and a few transforms)."
    module.__version__ = SUBSTITUTE_VERSION
    module.__grader_stand_in__ = True
    module.datasets, module.transforms = datasets, transforms
    sys.modules["torchvision.datasets"], sys.modules["torchvision.transforms"] = datasets, transforms

    def __getattr__(attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise AttributeError(say("kernel.vision.unsupported", name=f"torchvision.{attribute}"))

    module.__getattr__ = __getattr__


def _redirect_real_cifar10(folder):
    """The real ``torchvision.datasets.CIFAR10`` reads ``folder`` (None: raises the grader's message), never downloads."""
    cifar = importlib.import_module("torchvision.datasets.cifar")
    cls, check = cifar.CIFAR10, cifar.check_integrity
    original = cls.__init__

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        if getattr(type(self), "base_folder", None) == CIFAR10_BASE_FOLDER:  # not CIFAR100, its subclass
            if folder is None or not os.path.isdir(folder):
                raise RuntimeError(say("kernel.vision.cifar10_missing"))
            root, download = os.path.dirname(folder), False
        original(self, root, train, transform, target_transform, download)

    def check_integrity(fpath, md5=None):
        # the grader checked the folder's files before the run (torchvision's md5, or its own manifest)
        if folder is not None and os.path.dirname(os.path.abspath(str(fpath))) == folder:
            return os.path.isfile(fpath)
        return check(fpath, md5)

    cls.__init__, cifar.check_integrity = __init__, check_integrity


class _TorchvisionLoader(importlib.abc.Loader):
    """The real library's loader (``real``, None when it is not installed), falling back on the substitute."""

    def __init__(self, real, folder, record):
        self.real, self.folder, self.record = real, folder, record

    def create_module(self, spec):
        return self.real.create_module(spec) if self.real is not None else None

    def exec_module(self, module):
        reason = "torchvision is not installed"
        if self.real is not None:
            try:
                self.real.exec_module(module)
            except Exception as exc:  # noqa: BLE001 - any failure of the real library: the substitute
                reason = f"{type(exc).__name__}: {exc}"
            else:
                try:
                    _redirect_real_cifar10(self.folder)
                    return
                except Exception as exc:  # noqa: BLE001 - a torchvision laid out otherwise: never its download
                    reason = f"datasets.CIFAR10 could not be pointed at the grader's folder: {type(exc).__name__}: {exc}"
        _fill_substitute(module, self.folder)
        self.record("torchvision", "torchvision", "", reason[:300])


class _TorchvisionFinder(importlib.abc.MetaPathFinder):
    """Answers the first ``import torchvision`` (real or substitute) and the substitute's missing submodules."""

    def __init__(self, folder, record):
        self.folder, self.record, self.done = folder, record, False

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("torchvision."):
            parent = sys.modules.get("torchvision")
            if parent is not None and getattr(parent, "__grader_stand_in__", False):
                return importlib.machinery.ModuleSpec(fullname, _Unsupported())
            return None
        if fullname != "torchvision" or self.done:
            return None
        self.done = True
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return importlib.machinery.ModuleSpec(fullname, _TorchvisionLoader(None, self.folder, self.record),
                                                  is_package=True)
        spec.loader = _TorchvisionLoader(spec.loader, self.folder, self.record)
        return spec


def _install_torchvision(record, cifar10=None):
    """``import torchvision`` answered by :class:`_TorchvisionFinder`; ``cifar10``: the grader's ``cifar-10-batches-py``."""
    folder = os.path.abspath(cifar10) if cifar10 else None
    if "torchvision" in sys.modules:
        return
    sys.meta_path.insert(0, _TorchvisionFinder(folder, record))
