"""Keras 2 names that Keras 3 removed: modules, ``ImageDataGenerator``, ``lr=``, ``fit_generator`` & co.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import importlib
import sys
import types

from .events import say

# ---------------------------------------------------------------------- Keras 2 names
KERAS2_MODULES = {  # removed Keras 2 module -> the Keras 3 module holding the same names
    "utils.np_utils": "utils",
    "utils.vis_utils": "utils",
    "layers.convolutional": "layers",
    "layers.pooling": "layers",
    "layers.core": "layers",
    "layers.normalization": "layers",
    "layers.recurrent": "layers",
    "layers.merge": "layers",
    "layers.advanced_activations": "layers",
    "layers.embeddings": "layers",
    "layers.wrappers": "layers",
    "layers.noise": "layers",
}
KERAS_PREFIXES = {"keras": "keras", "tensorflow.keras": "tensorflow.keras",
                  "keras._tf_keras.keras": "tensorflow.keras"}  # imported as -> shown as
KERAS_SOURCES = {"tensorflow.keras": "keras._tf_keras.keras"}  # a name that is not a module of its own
LEGACY_IMAGE = ("ImageDataGenerator", "NumpyArrayIterator", "DirectoryIterator", "DataFrameIterator", "Iterator")


class _AliasModule(types.ModuleType):
    """A removed Keras 2 module whose attributes are those of its Keras 3 successor."""

    def __getattr__(self, attribute):
        target = importlib.import_module(self.__dict__["__grader_target__"])
        if attribute == "__all__":
            return [n for n in dir(target) if not n.startswith("_")]
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        value = getattr(target, attribute)
        on_use = self.__dict__.get("__grader_on_use__")
        if on_use is not None:
            on_use()
        return value

    def __dir__(self):
        target = importlib.import_module(self.__dict__["__grader_target__"])
        return sorted(set(dir(target)) | set(self.__dict__))


def _install_keras2_modules(finder, record):
    for prefix, shown in KERAS_PREFIXES.items():
        for old, new in KERAS2_MODULES.items():
            target = f"{prefix}.{new}"
            old_shown, new_shown = f"{shown}.{old}", f"{shown}.{new}"

            def build(name, target=target):
                module = _AliasModule(name, f"Keras 2 name mapped to {target} by the grader.")
                module.__grader_target__ = target
                return module

            def on_import(name, old_shown=old_shown, new_shown=new_shown):
                record("keras2", old_shown, new_shown, say("kernel.keras2.module", old=old_shown, new=new_shown))

            finder.add(f"{prefix}.{old}", build, False, on_import)


def _install_legacy_image(record):
    """``keras.preprocessing.image.ImageDataGenerator`` (gone in Keras 3) from Keras's legacy module."""
    module = sys.modules.get("keras.preprocessing.image")
    if module is None:
        try:
            module = importlib.import_module("keras.preprocessing.image")
        except ImportError:
            return
    if hasattr(module, "ImageDataGenerator") or "__getattr__" in module.__dict__:
        return

    def __getattr__(attribute):
        if attribute in LEGACY_IMAGE:
            try:
                legacy = importlib.import_module("keras.src.legacy.preprocessing.image")
            except ImportError:
                legacy = None
            if legacy is not None and hasattr(legacy, attribute):
                record("keras2", f"keras.preprocessing.image.{attribute}",
                       f"tensorflow.keras.preprocessing.image.{attribute}",
                       say("kernel.keras2.legacy_image", name=attribute))
                return getattr(legacy, attribute)
        raise AttributeError(f"module 'keras.preprocessing.image' has no attribute '{attribute}'")

    module.__getattr__ = __getattr__


def _install_optimizers(record):
    """``lr=`` (Keras 2) becomes ``learning_rate=`` for every optimizer; ``decay=`` is reported."""
    try:
        from keras.src.optimizers.base_optimizer import BaseOptimizer
    except ImportError:
        return
    original = BaseOptimizer.__init__
    if getattr(original, "__grader_compat__", False):
        return

    def __init__(self, *args, **kwargs):
        # Adam & co. call super().__init__(learning_rate=<their default>, **kwargs): the
        # student's value arrives as lr next to the default, so lr wins
        if "lr" in kwargs:
            cls = type(self).__name__
            value = kwargs.pop("lr")
            if args:
                args = (value,) + args[1:]
            else:
                kwargs["learning_rate"] = value
            record("keras2", "lr=", "learning_rate=", say("kernel.keras2.lr", cls=cls))
        if kwargs.get("decay") is not None:  # Keras 3 itself ignores it, with a warning
            cls = type(self).__name__
            record("keras2", "decay=", "keras.optimizers.schedules",
                   say("kernel.keras2.decay", cls=cls))
        return original(self, *args, **kwargs)

    __init__.__grader_compat__ = True
    __init__.__wrapped__ = original
    BaseOptimizer.__init__ = __init__
    if not hasattr(BaseOptimizer, "lr"):
        def get_lr(self):
            record("keras2", "optimizer.lr", "optimizer.learning_rate", say("kernel.keras2.optimizer_lr"))
            return self.learning_rate

        def set_lr(self, value):
            record("keras2", "optimizer.lr", "optimizer.learning_rate", say("kernel.keras2.optimizer_lr"))
            self.learning_rate = value

        BaseOptimizer.lr = property(get_lr, set_lr)


_FIT_DROPPED = ("max_queue_size", "workers", "use_multiprocessing")


def _install_model_methods(record):
    """``fit_generator`` & co. and ``predict_classes``, only where Keras 3 lacks them."""
    try:
        import keras
    except ImportError:
        return
    Model = keras.Model

    def note(old, new):
        record("keras2", f"model.{old}", f"model.{new}", say("kernel.keras2.generator", old=old, new=new))

    def drop(kwargs):
        for key in _FIT_DROPPED:
            kwargs.pop(key, None)
        return kwargs

    def fit_generator(self, generator, *args, **kwargs):
        note("fit_generator", "fit")
        return self.fit(generator, *args, **drop(kwargs))

    def evaluate_generator(self, generator, *args, **kwargs):
        note("evaluate_generator", "evaluate")
        return self.evaluate(generator, *args, **drop(kwargs))

    def predict_generator(self, generator, *args, **kwargs):
        note("predict_generator", "predict")
        return self.predict(generator, *args, **drop(kwargs))

    def predict_classes(self, x, batch_size=32, verbose=0):
        record("keras2", "model.predict_classes", "np.argmax(model.predict(x), axis=-1)",
               say("kernel.keras2.predict_classes"))
        import numpy as np

        proba = np.asarray(self.predict(x, batch_size=batch_size, verbose=verbose))
        if proba.ndim > 1 and proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        record("keras2", "model.predict_proba", "model.predict",
               say("kernel.keras2.predict_proba"))
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    for name, method in (("fit_generator", fit_generator), ("evaluate_generator", evaluate_generator),
                         ("predict_generator", predict_generator), ("predict_classes", predict_classes),
                         ("predict_proba", predict_proba)):
        if not hasattr(Model, name):
            setattr(Model, name, method)
