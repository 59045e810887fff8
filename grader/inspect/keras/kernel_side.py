"""The Keras harvest: runs inside the student's kernel, sent by the prelude after the harness.

It exports each ``keras.Model`` the notebook can reach (its configuration and weights, or
what the judge needs to call the notebook's class again), the callbacks ``fit`` attached
and each model's ``fit`` history. It judges nothing. Keras is not imported when the
prelude runs: the hooks are set once the notebook imports it (the compatibility layer's
``after_import``, which runs the Keras 2 patches first), so a notebook that never imports
Keras never pays for TensorFlow. Keras's functions are captured then, before any student
code uses them: monkeypatching ``keras.Model.save_weights`` afterwards changes nothing
exported.

Like ``grader/execute/kernel_side.py``, this module must not import anything from ``grader``.
"""

import builtins
import gc
import os
import weakref

# bounds of an exported fit history (History.history): keys, epochs per key, key length
MAX_HISTORY_KEYS = 20
MAX_HISTORY_EPOCHS = 1000
MAX_HISTORY_KEY_CHARS = 60


class KerasHarvest:
    """Finds and exports the notebook's Keras models at each harvest of the harness."""

    def __init__(self, harness, side):
        self.harness = harness
        self.constructor_call = side["constructor_call"]
        self._np, self._isinstance = harness._np, harness._isinstance
        self._type, self._issubclass = builtins.type, builtins.issubclass
        self._open, self._dump, self._makedirs = harness._open, harness._dump, harness._makedirs
        self._get_objects = gc.get_objects
        self._fitted, self._callback_uses, self._callbacks_exported = [], {}, {}
        self._histories, self._histories_exported, self._exported_order = {}, {}, {}  # by id(model)
        self._first_seen = {}  # id -> (weakref, execution count of the cell after which it was reachable)
        self._inits = {}  # id -> (weakref, constructor_call(...)) of the notebook's own classes
        self._Model = self._Callback = None
        self._internal_callbacks = ()

    # ------------------------------------------------------------------ hooks
    def capture(self):
        """Seed Keras and hook ``fit``, callbacks and constructors (once the notebook imported it)."""
        import keras

        keras.utils.set_random_seed(self.harness.seed)
        self.observe()
        self._capture_callbacks(keras)
        self._capture_fit(keras)
        self._capture_constructors(keras)

    def observe(self):
        """Find and export Keras models without patching Keras or seeding it (``verificar()``
        runs in the student's own kernel, after their cells)."""
        import keras

        self._keras = keras
        self._Model = keras.Model
        self._Sequential = keras.Sequential
        self._serialize = keras.saving.serialize_keras_object
        self._save_weights = keras.Model.save_weights
        self._Callback, self._internal_callbacks = keras.callbacks.Callback, ()
        try:
            from keras.src.models.functional import Functional
        except ImportError:  # older Keras 3 layouts
            Functional = ()
        self._Functional = Functional

    def _capture_fit(self, keras):
        """Remember every model ``fit`` trains: a model built and trained inside a function is still the student's."""
        fitted = self._fitted = []
        ids = set()
        original = keras.Model.fit

        def fit(model, *args, **kwargs):
            if id(model) not in ids and len(fitted) < 1000:
                ids.add(id(model))
                fitted.append(model)
            result = original(model, *args, **kwargs)
            try:
                self._record_history(model, getattr(result, "history", None))
            except Exception:  # recording the curves must never turn the student's fit into an error
                pass
            return result

        fit.__wrapped__ = original
        keras.Model.fit = fit

    def _capture_constructors(self, keras):
        """Remember the arguments each model of the notebook's own classes was created with.

        Keras cannot serialize ``LeNet5(10)`` when the class has no ``get_config()``; the
        judge calls the class again with these arguments.
        """
        inits = self._inits
        Model = keras.Model
        original = Model.__new__
        own, constructor_call = self._own_class, self.constructor_call

        def __new__(cls, *args, **kwargs):
            instance = original(cls, *args, **kwargs)
            try:
                if own(instance) and len(inits) < 10_000:
                    inits[id(instance)] = (weakref.ref(instance), constructor_call(cls, args, kwargs))
            except Exception:  # recording must never turn the student's model into an error
                pass
            return instance

        __new__.__wrapped__ = original
        Model.__new__ = staticmethod(__new__)

    def _constructor_of(self, model):
        entry = self._inits.get(id(model))
        return entry[1] if entry is not None and entry[0]() is model else None

    def _record_history(self, model, history):
        """Append one ``fit``'s ``History.history`` (numbers only, bounded) to the model's curves."""
        if not self._isinstance(history, dict) or id(model) not in {id(m) for m in self._fitted}:
            return
        curves = self._histories.setdefault(id(model), {})
        for key, values in list(history.items())[:MAX_HISTORY_KEYS * 2]:
            if not self._isinstance(key, str) or not self._isinstance(values, (list, tuple)):
                continue
            if key not in curves and len(curves) >= MAX_HISTORY_KEYS:
                continue
            numbers = curves.setdefault(key[:MAX_HISTORY_KEY_CHARS], [])
            for value in list(values)[:MAX_HISTORY_EPOCHS - len(numbers)]:
                number = float(value) if self._isinstance(value, (int, float, self._np.generic)) else None
                numbers.append(number if number is not None and number == number and abs(number) != float("inf")
                               else None)

    def _export_histories(self):
        """``{model order: curves}`` for exported models whose curves grew since the last harvest."""
        found = {}
        for model in self._fitted:
            key = id(model)
            curves, order = self._histories.get(key), self._exported_order.get(key)
            if not curves or order is None:
                continue
            size = sum(len(v) for v in curves.values())
            if size != self._histories_exported.get(key):
                self._histories_exported[key] = size
                found[str(order)] = {k: list(v) for k, v in curves.items()}
        return found

    def _capture_callbacks(self, keras):
        """Remember every callback ``fit`` attaches to a model (Keras calls ``set_model``).

        Callbacks are often created inline, ``fit(..., callbacks=[EarlyStopping(...)])``, and
        are gone once ``fit`` returns: holding them here lets the harvest export them.
        """
        Callback = keras.callbacks.Callback
        self._Callback = Callback
        internal = tuple(getattr(keras.callbacks, name) for name in ("CallbackList", "History", "ProgbarLogger")
                         if hasattr(keras.callbacks, name))
        self._internal_callbacks = internal
        original = Callback.set_model
        uses = self._callback_uses = {}  # id -> [callback, times attached]
        isinstance_ = self._isinstance

        def set_model(callback, model):
            if not isinstance_(callback, internal):
                entry = uses.setdefault(id(callback), [callback, 0])
                if entry[0] is callback:
                    entry[1] += 1
            return original(callback, model)

        Callback.set_model = set_model
        self._callbacks_exported = {}  # id -> times attached when last exported

    # ------------------------------------------------------------------ models
    def _reachable_models(self, user_ns):
        """Models the student's code can reach: its variables (and what they hold), and fit's models.

        Walked (:meth:`Harness.reachable`): the notebook's names and what they hold, the
        attributes of models and of callbacks/History (``history.model``). Models no code can
        reach (the temporary models Keras 3 builds at every ``Sequential.add``, the internal
        twin of a Sequential) are not the student's.
        """
        if self._Model is None:
            return []
        isinstance_, Model, Callback = self._isinstance, self._Model, self._Callback
        found = self.harness.reachable(user_ns, lambda value: isinstance_(value, Model),
                                       is_open=lambda value: Callback is not None and isinstance_(value, Callback))
        for model in self._fitted:  # models trained inside functions, kept by fit itself
            found.setdefault(id(model), model)
        return list(found.values())

    def note_cell(self, user_ns, execution_count):
        """After a student cell: remember in which cell each reachable model first appeared."""
        for model in self._reachable_models(user_ns):
            entry = self._first_seen.get(id(model))
            if entry is None or entry[0]() is not model:
                self._first_seen[id(model)] = (weakref.ref(model), int(execution_count))

    def _created_count(self, model):
        entry = self._first_seen.get(id(model))
        return entry[1] if entry is not None and entry[0]() is model else None

    def _api(self, model):
        if self._isinstance(model, self._Sequential):
            return "sequential"
        if self._Functional and self._isinstance(model, self._Functional):
            return "functional"
        return "subclass"

    def _param_count(self, model):
        np = self._np
        return int(sum(int(np.prod(v.shape)) for v in model.weights))

    def _rebuild_as_sequential(self, model):
        """A Sequential of the subclassed model's layers, if it computes the same thing."""
        keras, np = self._keras, self._np
        build = model.get_build_config() if hasattr(model, "get_build_config") else None
        shape = (build or {}).get("input_shape")
        if not shape or not isinstance(shape, (list, tuple)) or isinstance(shape[0], (list, tuple)):
            raise ValueError("the subclassed model was never built or has several inputs")
        clone = self._Sequential([keras.Input(shape=tuple(shape[1:]))] + list(model.layers))
        probe = np.random.default_rng(0).random((2,) + tuple(shape[1:])).astype("float32")
        same = np.allclose(np.asarray(model(probe)), np.asarray(clone(probe)), atol=1e-5)
        if not same:
            raise ValueError("its call() is not the plain sequence of its layers")
        return clone

    def _own_class(self, model):
        """True for a class the notebook defined (a subclass of a Keras model)."""
        return not str(getattr(type(model), "__module__", "")).startswith(("keras", "tensorflow", "tf_keras"))

    def _serialize_for_judge(self, model):
        """The student's model as Keras serializes it (its class name and __init__ arguments)."""
        try:
            return self._serialize(model)
        except Exception:  # get_config may need arguments Keras could not capture
            build = model.get_build_config() if hasattr(model, "get_build_config") else None
            return {"module": None, "class_name": type(model).__name__, "config": {},
                    "registered_name": type(model).__name__, "build_config": build,
                    "grader_init": self._constructor_of(model)}

    def _export_model(self, model, names, directory):
        info = {"framework": "keras", "names": names, "api": self._api(model), "class": type(model).__name__,
                "reconstructed": False, "has_weights": False, "error": None, "judge": False}
        self._makedirs(directory, exist_ok=True)
        target, config = model, None
        if info["api"] == "sequential" and self._own_class(model) and type(model).call is self._Sequential.call:
            # class LeNet(Sequential) adding layers in __init__: it computes what a plain
            # Sequential of its layers computes, so it is exported as one
            config = dict(self._serialize(model))
            config.update(module="keras", class_name="Sequential", registered_name=None)
            info["reconstructed"] = True
        elif info["api"] == "subclass" or (info["api"] == "sequential" and self._own_class(model)):
            try:
                target = self._rebuild_as_sequential(model)
                info["reconstructed"] = True
            except Exception as exc:  # its own call(): the grader judges it with the notebook's classes
                if not model.built:
                    info["error"] = f"the subclassed model was never built: {exc}"
                    return info
                config = self._serialize_for_judge(model)
                info["judge"] = True
                not_plain = (config.get("grader_init") or {}).get("not_plain")
                if not_plain:  # the judge could not call the class again: a teacher looks
                    info["constructor_not_plain"] = not_plain
        with self._open(os.path.join(directory, "model.json"), "w", encoding="utf-8") as handle:
            self._dump(config if config is not None else self._serialize(target), handle, default=str)
        if target.built and self._param_count(target) <= self.harness._max_export_params:
            self._save_weights(target, os.path.join(directory, "model.weights.h5"))
            info["has_weights"] = True
        return info

    # ------------------------------------------------------------------ callbacks
    def _callback_info(self, callback, used):
        attributes = {}
        for key, value in list(vars(callback).items())[:200]:
            if key.startswith("_"):
                continue
            if value is None or self._isinstance(value, (bool, int, float)) or (
                    self._isinstance(value, str) and len(value) <= 500):
                attributes[key] = value
            elif self._isinstance(value, self._np.generic):
                attributes[key] = value.item()
        classes = [k.__name__ for k in type(callback).__mro__ if k.__module__.startswith("keras")]
        return {"class": type(callback).__name__, "keras_classes": classes, "used": used, "attributes": attributes}

    def _export_callbacks(self, objects):
        """Callbacks attached by ``fit`` since the last harvest, then ones created but never used."""
        found = []
        for key, (callback, times) in list(self._callback_uses.items()):
            if times > self._callbacks_exported.get(key, 0):
                self._callbacks_exported[key] = times
                found.append(self._callback_info(callback, True))
        for obj in objects:
            # by the object's type, never its ``__class__``: the heap holds lazily loaded modules
            # (``keras.wrappers``), which that attribute would load, and objects that lie about it
            kind = self._type(obj)
            if (self._issubclass(kind, self._Callback) and not self._issubclass(kind, self._internal_callbacks)
                    and id(obj) not in self._callback_uses
                    and id(obj) not in self._callbacks_exported and len(found) < 100):
                self._callbacks_exported[id(obj)] = 0
                found.append(self._callback_info(obj, False))
        return found[:100]

    # ------------------------------------------------------------------ harvest
    def harvest(self, user_ns, directory, manifest, export):
        """Export the models first seen in this segment into ``directory`` (entries in ``manifest``),
        and the callbacks and fit histories seen since the last harvest."""
        harness, keras_on = self.harness, self._Model is not None
        names_by_id = harness.names_by_id(user_ns, self._Model) if keras_on else {}
        # the heap scan serves callbacks created but never used (none without Keras)
        objects = self._get_objects() if keras_on else []
        built = [model for model in self._reachable_models(user_ns) if getattr(model, "built", False)]
        # an unbuilt model (an empty Sequential) is exported once it is built
        exported = harness.export_new(
            built, directory, manifest, export,
            lambda model, entry_dir: self._export_model(model, names_by_id.get(id(model), []), entry_dir),
            lambda model, exc: {"framework": "keras", "names": names_by_id.get(id(model), []),
                                "error": f"{type(exc).__name__}: {exc}"},
            self._created_count)
        self._exported_order.update(exported)
        if export:
            manifest["callbacks"] = self._export_callbacks(objects)
            manifest["histories"] = self._export_histories()


def install(harness, side):
    """Hook the Keras harvest into the harness (``side``: the harness module's namespace).

    Keras is captured when the notebook imports it, after the compatibility layer's Keras 2
    patches (``harness.after_import``), or now when the harness has no such hook.
    """
    keras_harvest = KerasHarvest(harness, side)
    harness.extensions.append(keras_harvest)
    if harness.after_import is not None:
        harness.after_import("keras", keras_harvest.capture)
    else:
        keras_harvest.capture()
    return keras_harvest


def observe(harness, side):
    """Hook the Keras harvest into a harness without patching or seeding Keras (the kit's ``verificar()``)."""
    keras_harvest = KerasHarvest(harness, side)
    keras_harvest.observe()
    harness.extensions.append(keras_harvest)
    return keras_harvest
