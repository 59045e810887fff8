"""Keras 2 defaults and argument forms: pool sizes, ``compile``'s arguments, file names, training arguments.

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

import importlib
import os
import sys

from .events import say
from .keras2_names import KERAS_PREFIXES, KERAS_SOURCES, _AliasModule

# ------------------------------------------------- Keras 2 defaults and argument forms
def _wrap(owner, attribute, make):
    """Replace ``owner.attribute`` with ``make(original)``, once (a second install keeps the first)."""
    original = getattr(owner, attribute, None)
    if original is None or getattr(original, "__grader_compat__", False):
        return
    wrapper = make(original)
    wrapper.__grader_compat__ = True
    wrapper.__wrapped__ = original
    wrapper.__doc__ = getattr(original, "__doc__", None)
    try:  # Keras reads a layer's __init__ signature to record its config
        import inspect

        wrapper.__signature__ = inspect.signature(original)
    except (TypeError, ValueError):
        pass
    setattr(owner, attribute, wrapper)


POOL_DEFAULTS = {"1D": 2, "2D": (2, 2), "3D": (2, 2, 2)}  # Keras 2's pool_size when none is given


def _install_pooling_defaults(record):
    """``AveragePooling2D()`` with no pool size: Keras 2 pooled 2x2; Keras 3 requires ``pool_size``."""
    import inspect

    import keras

    for kind in ("AveragePooling", "MaxPooling"):
        for dims, default in POOL_DEFAULTS.items():
            cls = getattr(keras.layers, kind + dims, None)
            try:
                parameter = inspect.signature(cls.__init__).parameters.get("pool_size") if cls else None
            except (TypeError, ValueError):
                parameter = None
            if parameter is None or parameter.default is not inspect.Parameter.empty:
                continue  # this Keras has a default of its own

            def make(original, name=cls.__name__, default=default):
                def __init__(self, *args, **kwargs):
                    if not args and "pool_size" not in kwargs:
                        kwargs["pool_size"] = default
                        record("keras2", f"{name}()", f"{name}(pool_size={default!r})",
                               say("kernel.keras2.pool_size", name=name, default=default))
                    return original(self, *args, **kwargs)
                return __init__

            _wrap(cls, "__init__", make)


def _is_metric_list(value):
    """A Keras 2 ``metrics`` argument: names or metric objects, never loss weights (numbers)."""
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
    return bool(items) and all(item is not None and not isinstance(item, (int, float)) for item in items)


KERAS2_COMPILE_ARGS = ("metrics", "loss_weights", "weighted_metrics", "run_eagerly", "steps_per_execution",
                      "jit_compile")  # Keras 2's compile() arguments after optimizer and loss, in order


def _install_compile(record):
    """``compile(metrics="accuracy")`` and Keras 2's positional ``compile(optimizer, loss, metrics)``."""
    import keras

    def make(original):
        def compile(self, *args, **kwargs):
            # Keras 2: compile(optimizer, loss, metrics, loss_weights, weighted_metrics, ...); Keras 3
            # put loss_weights third, so a third positional argument of metric names is Keras 2's
            if len(args) >= 3 and _is_metric_list(args[2]):
                names = KERAS2_COMPILE_ARGS[:len(args) - 2]
                if not any(name in kwargs for name in names):
                    kwargs.update(zip(names, args[2:]))
                    args = args[:2]
                    record("keras2", "compile(optimizer, loss, metrics)",
                           "compile(optimizer=..., loss=..., metrics=...)",
                           say("kernel.keras2.compile_metrics"))
            for key in ("metrics", "weighted_metrics"):
                value = kwargs.get(key)
                if isinstance(value, str):
                    kwargs[key] = [value]
                    record("keras2", f'compile({key}="{value}")', f'compile({key}=["{value}"])',
                           say("kernel.keras2.compile_list", key=key, value=value))
            return original(self, *args, **kwargs)
        return compile

    _wrap(keras.Model, "compile", make)


class _CheckpointStatus:
    """What Keras 2's ``load_weights`` returned for a TensorFlow checkpoint (``.expect_partial()``)."""

    def expect_partial(self):
        return self

    def assert_consumed(self):
        return self

    def assert_existing_objects_matched(self):
        return self

    def assert_nontrivial_match(self):
        return self

    def run_restore_ops(self, session=None):
        return None


KERAS3_WEIGHTS = (".weights.h5", ".weights.json")
HDF5 = (".h5", ".hdf5")
KERAS3_MODELS = (".keras",) + HDF5


def _keras3_name(path, suffix):
    """``pesos.h5`` -> ``pesos.weights.h5``; ``modelo`` -> ``modelo.keras``: the name Keras 3 expects."""
    stem = path[:path.rfind(".")] if path.lower().endswith(HDF5) else path
    return stem + suffix


def _install_saving(record):
    """Keras 2 file names for ``save_weights``/``load_weights``/``save`` and ``ModelCheckpoint``.

    ``save_weights("pesos.h5")`` writes Keras 2's HDF5 weights (which Keras 3's
    ``load_weights`` reads); ``save_weights("pesos")`` (a TensorFlow checkpoint in Keras 2)
    writes ``pesos.weights.h5``, which ``load_weights("pesos")`` then reads; ``save("modelo")``
    (a SavedModel folder in Keras 2) writes a Keras model folder, which ``load_model`` reads.
    """
    import keras

    quiet = []  # inside ModelCheckpoint: its constructor already reported the name

    def weights_note(path):
        if not quiet:
            record("keras2", f'save_weights("{path}")', f'save_weights("{_keras3_name(path, ".weights.h5")}")',
                   say("kernel.keras2.save_weights", path=path))

    def make_save_weights(original):
        def save_weights(self, filepath, *args, **kwargs):
            path = str(filepath)
            if path.endswith(KERAS3_WEIGHTS) or kwargs.get("max_shard_size") or path.startswith("hf://"):
                return original(self, filepath, *args, **kwargs)
            kwargs.pop("save_format", None)
            kwargs.pop("options", None)
            if path.lower().endswith(HDF5):
                import h5py
                from keras.src.legacy.saving import legacy_h5_format

                weights_note(path)
                with h5py.File(path, "w") as handle:
                    legacy_h5_format.save_weights_to_hdf5_group(handle, self)
                return None
            weights_note(path)
            if os.path.dirname(path):  # TensorFlow created a checkpoint's folders
                os.makedirs(os.path.dirname(path), exist_ok=True)
            return original(self, path + ".weights.h5", *args, **kwargs)
        return save_weights

    def make_load_weights(original):
        def load_weights(self, filepath, *args, **kwargs):
            path = str(filepath)
            if not path.endswith(KERAS3_MODELS + KERAS3_WEIGHTS) and os.path.isfile(path + ".weights.h5"):
                record("keras2", f'load_weights("{path}")', f'load_weights("{path}.weights.h5")',
                       say("kernel.keras2.load_weights", path=path))
                original(self, path + ".weights.h5", *args, **kwargs)
                return _CheckpointStatus()
            return original(self, filepath, *args, **kwargs)
        return load_weights

    def make_save(original):
        def save(self, filepath, *args, **kwargs):
            path = str(filepath)
            folder = not path.lower().endswith(KERAS3_MODELS) and not path.startswith("hf://") and not args
            if not folder or kwargs.get("zipped") is not None or kwargs.get("save_format") in ("h5", "keras"):
                return original(self, filepath, *args, **kwargs)
            for key in ("save_format", "signatures", "options", "save_traces"):
                kwargs.pop(key, None)
            if not quiet:
                record("keras2", f'model.save("{path}")', f'model.save("{path}.keras")',
                       say("kernel.keras2.save_folder", path=path))
            return original(self, path, zipped=False, **kwargs)
        return save

    _wrap(keras.Model, "save_weights", make_save_weights)
    _wrap(keras.Model, "load_weights", make_load_weights)
    _wrap(keras.Model, "save", make_save)

    def make_checkpoint(original):
        def __init__(self, filepath, *args, **kwargs):
            path = str(filepath)
            weights_only = kwargs.get("save_weights_only", args[3] if len(args) > 3 else False)
            wanted = KERAS3_WEIGHTS[:1] if weights_only else (".keras", ".h5")
            if path.endswith(wanted) or path.startswith("hf://"):
                return original(self, filepath, *args, **kwargs)
            original(self, path + wanted[0], *args, **kwargs)  # Keras 3 checks the name it is given
            self.filepath = path  # and saves through save/save_weights, which take Keras 2 names
            method = "save_weights" if weights_only else "save"
            record("keras2", f'ModelCheckpoint("{path}")', f'ModelCheckpoint("{_keras3_name(path, wanted[0])}")',
                   say("kernel.keras2.checkpoint", suffix=wanted[0], path=path, method=method))
        return __init__

    def make_checkpoint_save(original):
        def _save_model(self, *args, **kwargs):
            quiet.append(True)
            try:
                return original(self, *args, **kwargs)
            finally:
                quiet.pop()
        return _save_model

    _wrap(keras.callbacks.ModelCheckpoint, "__init__", make_checkpoint)
    if hasattr(keras.callbacks.ModelCheckpoint, "_save_model"):
        _wrap(keras.callbacks.ModelCheckpoint, "_save_model", make_checkpoint_save)


# TensorFlow functions Keras 2 wrote under a Keras name and Keras 3 writes under TensorFlow's
TF_ACTIVATIONS = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax"}


def _install_tf_activations(record):
    """A saved ``activation=tf.nn.softmax`` (``softmax_v2`` in Keras 3's JSON) reads as ``"softmax"``."""
    try:
        from keras.src import activations
    except ImportError:
        return

    def make(original):
        def get(identifier):
            if (isinstance(identifier, dict) and identifier.get("class_name") == "function"
                    and identifier.get("config") in TF_ACTIVATIONS):
                name = TF_ACTIVATIONS[identifier["config"]]
                record("keras2", f"activation=tf.nn.{name}", f'activation="{name}"',
                       say("kernel.keras2.tf_activation", name=name))
                identifier = name
            return original(identifier)
        return get

    _wrap(activations, "get", make)


_TRAINING_DROPPED = ("max_queue_size", "workers", "use_multiprocessing")


def _install_training_arguments(record):
    """``fit(..., workers=4, use_multiprocessing=True)``: Keras 3 has no such arguments; they only set speed."""
    import keras

    def make(original, method):
        def run(self, *args, **kwargs):
            for key in _TRAINING_DROPPED:
                if key in kwargs:
                    kwargs.pop(key)
                    record("keras2", f"{method}({key}=...)", "",
                           say("kernel.keras2.training_argument", method=method, key=key))
            return original(self, *args, **kwargs)
        return run

    for method in ("fit", "evaluate", "predict"):
        _wrap(keras.Model, method, lambda original, method=method: make(original, method))


def _install_legacy_optimizers(record):
    """``keras.optimizers.legacy.Adam`` (Keras 2.11+) as the optimizer of the same name."""
    try:
        import keras
        from keras.optimizers import legacy
    except ImportError:
        return
    for name in ("Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"):
        modern = getattr(keras.optimizers, name, None)
        if modern is None or getattr(getattr(legacy, name, None), "__grader_compat__", False):
            continue

        def optimizer(*args, name=name, modern=modern, **kwargs):
            record("keras2", f"keras.optimizers.legacy.{name}", f"keras.optimizers.{name}",
                   say("kernel.keras2.legacy_optimizer", name=name))
            return modern(*args, **kwargs)

        optimizer.__grader_compat__ = True
        optimizer.__name__ = optimizer.__qualname__ = name
        setattr(legacy, name, optimizer)


def _install_layer_shapes(record):
    """``layer.output_shape`` / ``layer.input_shape`` (Keras 2) as ``layer.output.shape`` / ``layer.input.shape``."""
    import keras

    Layer = keras.layers.Layer

    def shape_of(tensors):
        if isinstance(tensors, (list, tuple)):
            return [tuple(t.shape) for t in tensors]
        return tuple(tensors.shape)

    def make(side):
        def getter(self):
            missing = AttributeError(f"'{type(self).__name__}' object has no attribute '{side}_shape'")
            # Keras 3 itself asks hasattr(layer, "input_shape") (Sequential rebuilding): it must
            # find what it finds without the layer; only the notebook's own code reads Keras 2's name
            caller = str(sys._getframe(1).f_globals.get("__name__", ""))
            if caller.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
                raise missing
            try:
                value = shape_of(getattr(self, side))
            except (AttributeError, ValueError):  # never called: no shape, as hasattr() expects
                raise missing from None
            record("keras2", f"layer.{side}_shape", f"layer.{side}.shape",
                   say("kernel.keras2.layer_shape", side=side))
            return value
        getter.__grader_compat__ = True
        return property(getter)

    for side in ("output", "input"):
        if not hasattr(Layer, f"{side}_shape"):
            setattr(Layer, f"{side}_shape", make(side))


def _install_experimental_layers(record):
    """``tf.keras.layers.experimental.preprocessing.Rescaling`` & co. as ``keras.layers.Rescaling``."""
    try:
        importlib.import_module("keras._tf_keras.keras.layers")  # tf.keras is loaded lazily
    except ImportError:
        pass

    def alias(old, target, shown):
        module = _AliasModule(old, f"Keras 2 name mapped to {target} by the grader.")
        module.__grader_target__ = target
        module.__grader_on_use__ = lambda: record(
            "keras2", old, f"{shown}.layers", say("kernel.keras2.experimental", old=old, shown=shown))
        return module

    for prefix, shown in KERAS_PREFIXES.items():
        # tensorflow.keras is TensorFlow's lazy name for keras._tf_keras.keras
        layers = sys.modules.get(f"{prefix}.layers") or sys.modules.get(f"{KERAS_SOURCES.get(prefix)}.layers")
        if layers is None or f"{prefix}.layers.experimental" in sys.modules:
            continue
        experimental = layers.__dict__.get("experimental")
        if experimental is None:
            experimental = alias(f"{shown}.layers.experimental", layers.__name__, shown)
            experimental.__path__ = []  # a package: ``from ...experimental import preprocessing``
            experimental.preprocessing = alias(f"{shown}.layers.experimental.preprocessing", layers.__name__, shown)
            layers.experimental = experimental
        sys.modules[f"{prefix}.layers.experimental"] = experimental
        sys.modules[f"{prefix}.layers.experimental.preprocessing"] = experimental.preprocessing
