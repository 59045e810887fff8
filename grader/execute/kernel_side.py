"""Code that runs inside the student's kernel (its source is sent by the prelude).

It does two things: set up determinism, and *export* what the notebook built. It
judges nothing: every number that earns points is recomputed by the grader from the
files written here. The functions it relies on are captured when the prelude runs,
before any student code, so monkeypatching ``keras.Model.save_weights``, ``count_params``
or ``json.dumps`` afterwards does not change what is exported.

This module must not import anything from ``grader``: it is executed with ``exec`` in
the kernel, which may not even have the grader installed.
"""

import builtins
import gc
import json
import os
import random
import weakref

# bounds of a model's constructor arguments, exported so that the judge can call the class again
MAX_INIT_VALUES = 10_000
MAX_INIT_DEPTH = 10
MAX_INIT_STRING = 10_000
# bounds of an exported fit history (History.history): keys, epochs per key, key length
MAX_HISTORY_KEYS = 20
MAX_HISTORY_EPOCHS = 1000
MAX_HISTORY_KEY_CHARS = 60


def _to_json_value(value, np, limit=1_000_000):
    """A JSON-able copy of ``value`` (arrays as nested lists), or raise TypeError."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "__array__") and not isinstance(value, (list, tuple, dict)):
        array = np.asarray(value)
        if array.size > limit:
            raise TypeError(f"array of {array.size} elements is too large to export")
        return array.tolist()
    if isinstance(value, (list, tuple)):
        return [_to_json_value(v, np, limit) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json_value(v, np, limit) for k, v in value.items()}
    raise TypeError(f"values of type {type(value).__name__} cannot be exported")


def plain_arguments(value, budget, depth=0):
    """A JSON copy of a constructor argument made of plain values, or raise TypeError.

    Plain: numbers, strings, bools, None, and lists, tuples and dicts of them. Tuples and
    dicts are tagged (``{"__tuple__": [...]}``, ``{"__dict__": [[key, value], ...]}``) so
    that the judge rebuilds them as they were.
    """
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_INIT_DEPTH:
        raise TypeError("too large")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if len(value) > MAX_INIT_STRING:
            raise TypeError("too large")
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        item = value.item()  # a NumPy number (np.int64(10) from a shape)
        if isinstance(item, (bool, int, float)):
            return item
    if isinstance(value, list):
        return [plain_arguments(v, budget, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [plain_arguments(v, budget, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[plain_arguments(k, budget, depth + 1), plain_arguments(v, budget, depth + 1)]
                             for k, v in value.items()]}
    raise TypeError(type(value).__name__)


def constructor_call(cls, args, kwargs):
    """``{"args": [...], "kwargs": {...}}`` of a constructor call, or ``{"not_plain": ["name (type)", ...]}``."""
    import inspect

    try:
        names = list(inspect.signature(cls.__init__).bind(None, *args, **kwargs).arguments)[1:]
    except (TypeError, ValueError):
        names = []
    budget = [MAX_INIT_VALUES]
    found = {"args": [], "kwargs": {}}
    problems = []
    labelled = [(names[i] if i < len(names) else f"#{i + 1}", "args", None, v) for i, v in enumerate(args)]
    labelled += [(k, "kwargs", k, v) for k, v in kwargs.items()]
    for label, kind, key, value in labelled:
        try:
            plain = plain_arguments(value, budget)
        except (TypeError, RecursionError) as exc:
            problems.append(f"{label} ({type(value).__name__})" if str(exc) != "too large" else f"{label} (too large)")
            continue
        if kind == "args":
            found["args"].append(plain)
        else:
            found["kwargs"][str(key)] = plain
    return {"not_plain": problems[:20]} if problems else found


class Harness:
    """Exports models and variables after each section; installed once per kernel."""

    def __init__(self, seed, max_export_params, compat_events=None, keras=True, after_import=None):
        import numpy as np

        # other frameworks' harvests (the inspectors' kernel code): each has note_cell(user_ns,
        # count) and harvest(user_ns, directory, manifest, export), called after the Keras models'
        self.extensions = []

        # events of the compatibility layer (Colab stand-in, pip, magics, Keras 2 names),
        # appended by the compatibility layer (grader/execute/compat/); each harvest exports the new ones
        self._compat_events = compat_events if compat_events is not None else []
        self._compat_exported = 0

        self._np = np
        self._seen = {}
        self._first_seen = {}  # id -> (weakref, execution count of the cell after which it was reachable)
        self._order = 0
        self._max_export_params = max_export_params
        self._open = builtins.open
        self._dump = json.dump
        self._makedirs = os.makedirs
        self._get_objects = gc.get_objects
        self._isinstance = builtins.isinstance
        random.seed(seed)
        np.random.seed(seed)
        self._fitted, self._callback_uses, self._callbacks_exported = [], {}, {}
        self._histories, self._histories_exported, self._exported_order = {}, {}, {}  # by id(model)
        self._Model = self._Callback = None
        # an assignment that grades no model never imports TensorFlow in the kernel; one that
        # does captures keras.Model when the notebook imports Keras (``after_import``, from the
        # compatibility layer, runs after its Keras 2 patches), so a notebook written in
        # PyTorch, or one that stops before its imports, never pays for TensorFlow either
        if keras and after_import is not None:
            after_import("keras", lambda: self._capture_keras(seed))
        elif keras:
            self._capture_keras(seed)

    def _capture_keras(self, seed):
        import keras

        keras.utils.set_random_seed(seed)
        self.observe_keras()
        self._capture_callbacks(keras)
        self._capture_fit(keras)
        self._capture_constructors(keras)

    def observe_keras(self):
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
        inits = self._inits = {}  # id -> (weakref, constructor_call(...))
        Model = keras.Model
        original = Model.__new__
        own = self._own_class

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
        entry = getattr(self, "_inits", {}).get(id(model))
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

        Walked: the notebook's names, lists/tuples/dicts/sets, attributes of models, of
        callbacks/History (``history.model``) and of instances of the notebook's own classes.
        Models no code can reach (the temporary models Keras 3 builds at every
        ``Sequential.add``, the internal twin of a Sequential) are not the student's.
        """
        isinstance_ = self._isinstance
        found, seen = {}, set()
        stack = [(value, 0) for name, value in list(user_ns.items())
                 if not name.startswith("_") and name not in ("In", "Out", "exit", "quit", "get_ipython")]
        stack.reverse()  # names first, in the order they were bound
        budget = 20000
        while stack and budget > 0:
            value, depth = stack.pop()
            budget -= 1
            if id(value) in seen:
                continue
            seen.add(id(value))
            children = ()
            if self._Model is not None and isinstance_(value, self._Model):
                found.setdefault(id(value), value)
                children = self._public_attributes(value)
            elif isinstance_(value, (list, tuple, set, frozenset)):
                children = list(value)[:1000]
            elif isinstance_(value, dict):
                children = list(value.values())[:1000]
            elif (self._Callback is not None and isinstance_(value, self._Callback)) or self._is_notebook_instance(value):
                children = self._public_attributes(value)
            if depth < 4:
                stack.extend((child, depth + 1) for child in reversed(list(children)))
        for model in self._fitted:  # models trained inside functions, kept by fit itself
            found.setdefault(id(model), model)
        return list(found.values())

    def _public_attributes(self, obj):
        try:
            items = list(vars(obj).items())[:200]
        except TypeError:
            return []
        return [v for k, v in items if not k.startswith("_")]

    def _is_notebook_instance(self, value):
        kind = type(value)
        return getattr(kind, "__module__", None) == "__main__" and not self._isinstance(value, type)

    def note_cell(self, user_ns, execution_count):
        """After a student cell: remember in which cell each reachable model first appeared."""
        if not execution_count:
            return
        for extension in self.extensions:
            try:
                extension.note_cell(user_ns, execution_count)
            except Exception:  # another framework's bookkeeping must not stop this one's
                pass
        for model in self._reachable_models(user_ns):
            entry = self._first_seen.get(id(model))
            if entry is None or entry[0]() is not model:
                self._first_seen[id(model)] = (weakref.ref(model), int(execution_count))

    def _created_count(self, model):
        entry = self._first_seen.get(id(model))
        return entry[1] if entry is not None and entry[0]() is model else None

    def _is_new(self, model):
        ref = self._seen.get(id(model))
        return ref is None or ref() is not model

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
        info = {"names": names, "api": self._api(model), "class": type(model).__name__,
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
        if target.built and self._param_count(target) <= self._max_export_params:
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
            if (self._isinstance(obj, self._Callback) and not self._isinstance(obj, self._internal_callbacks)
                    and id(obj) not in self._callback_uses
                    and id(obj) not in self._callbacks_exported and len(found) < 100):
                self._callbacks_exported[id(obj)] = 0
                found.append(self._callback_info(obj, False))
        return found[:100]

    # ------------------------------------------------------------------ values
    def _export_values(self, user_ns, names):
        values, problems = {}, {}
        for name in names:
            if name not in user_ns:
                continue
            try:
                values[name] = _to_json_value(user_ns[name], self._np)
            except (TypeError, ValueError) as exc:
                problems[name] = str(exc)
        return values, problems

    # ------------------------------------------------------------------ entry points
    def call_function(self, command, user_ns):
        """Call a student function on grader inputs, each call under its own time limit.

        Writes ``{"defined": bool, "results": [{"value": ...} | {"error": "..."}]}``.
        """
        import copy
        import signal

        np = self._np
        function = user_ns.get(command["function"])
        results = []
        if callable(function):
            def expire(signum, frame):
                raise TimeoutError(f"the call took more than {command['timeout']} s")

            previous = signal.signal(signal.SIGALRM, expire)
            try:
                for args in command["inputs"]:
                    if command.get("arrays"):
                        args = [np.asarray(a, dtype=float) if isinstance(a, list) else a for a in args]
                    signal.setitimer(signal.ITIMER_REAL, float(command["timeout"]))
                    try:
                        results.append({"value": _to_json_value(function(*copy.deepcopy(args)), np)})
                    except BaseException as exc:  # any failure of the student's function is its result
                        results.append({"error": f"{type(exc).__name__}: {exc}"[:500]})
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
            finally:
                signal.signal(signal.SIGALRM, previous)
        directory = os.path.join(command["out_dir"], command["segment"])
        self._makedirs(directory, exist_ok=True)
        with self._open(os.path.join(directory, "calls.json"), "w", encoding="utf-8") as handle:
            self._dump({"defined": callable(function), "results": results}, handle, default=str)

    def run_command(self, command, user_ns):
        """Run one harvest or function call; a failure is written where the grader looks, never raised."""
        directory = os.path.join(command["out_dir"], command["segment"])
        try:
            if command.get("op") == "call":
                self.call_function(command, user_ns)
                return
            self.harvest(command["segment"], command["out_dir"], user_ns, command.get("values", ()),
                         command.get("export", True))
        except BaseException as exc:  # report everything, even a KeyboardInterrupt mid-harvest
            self._makedirs(directory, exist_ok=True)
            with self._open(os.path.join(directory, "harvest-error.txt"), "w", encoding="utf-8") as handle:
                handle.write(f"{type(exc).__name__}: {exc}")

    def harvest(self, segment, out_dir, user_ns, value_names=(), export=True):
        """Export models first seen in this segment and the named variables."""
        directory = os.path.join(out_dir, segment)
        self._makedirs(directory, exist_ok=True)
        manifest = {"segment": segment, "models": [], "values": {}, "value_errors": {}}
        names_by_id = {}
        keras_on = self._Model is not None
        for name, value in list(user_ns.items()) if keras_on else ():
            if not name.startswith("_") and self._isinstance(value, self._Model):
                names_by_id.setdefault(id(value), []).append(name)
        # the heap scan serves callbacks created but never used (none without Keras)
        objects = self._get_objects() if keras_on else []
        for model in self._reachable_models(user_ns):
            if not self._is_new(model) or not getattr(model, "built", False):
                continue  # an unbuilt model (an empty Sequential) is exported once it is built
            self._seen[id(model)] = weakref.ref(model)
            if not export:
                continue
            self._order += 1
            entry_dir = os.path.join(directory, f"model{self._order}")
            try:
                info = self._export_model(model, names_by_id.get(id(model), []), entry_dir)
            except Exception as exc:  # one unexportable model must not hide the others
                info = {"names": names_by_id.get(id(model), []), "error": f"{type(exc).__name__}: {exc}"}
            info.update(order=self._order, dir=f"model{self._order}", execution_count=self._created_count(model))
            self._exported_order[id(model)] = self._order
            manifest["models"].append(info)
        for extension in self.extensions:
            try:
                extension.harvest(user_ns, directory, manifest, export)
            except Exception as exc:  # another framework's failure must not hide the Keras models
                manifest.setdefault("harvest_errors", []).append(f"{type(exc).__name__}: {exc}"[:500])
        if export:
            manifest["values"], manifest["value_errors"] = self._export_values(user_ns, value_names)
            manifest["callbacks"] = self._export_callbacks(objects)
            manifest["histories"] = self._export_histories()
            events = list(self._compat_events)
            manifest["compat"] = [e for e in events[self._compat_exported:][:200] if self._isinstance(e, dict)]
            self._compat_exported = len(events)
            with self._open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as handle:
                self._dump(manifest, handle, default=str)


COMMAND_MARK = "#grader-command "  # a comment-only cell carrying a harvest or a call


def install(seed, max_export_params, compat_events=None, keras=True, after_import=None):
    """Create the harness, hook it to IPython's ``post_run_cell`` event and return it.

    The grader triggers a harvest or a function call with a cell holding only a comment
    (``#grader-command {json}``): the cell names nothing, so no student global can
    shadow or replace what it calls.
    """
    from IPython import get_ipython

    harness = Harness(seed, max_export_params, compat_events, keras, after_import)
    shell = get_ipython()
    user_ns = shell.user_ns
    loads = json.loads

    def on_cell(result):
        raw = getattr(getattr(result, "info", None), "raw_cell", "") or ""
        if raw.startswith(COMMAND_MARK):
            harness.run_command(loads(raw[len(COMMAND_MARK):]), user_ns)
            return
        try:
            harness.note_cell(user_ns, getattr(result, "execution_count", None))
        except Exception:  # bookkeeping must never turn a student's cell into an error
            pass

    shell.events.register("post_run_cell", on_cell)
    return harness
