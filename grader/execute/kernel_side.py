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


class Harness:
    """Exports models and variables after each section; installed once per kernel."""

    def __init__(self, seed, max_export_params, compat_events=None):
        import numpy as np

        # events of the compatibility layer (Colab stand-in, pip, magics, Keras 2 names),
        # appended by grader/execute/kernel_compat.py; each harvest exports the new ones
        self._compat_events = compat_events if compat_events is not None else []
        self._compat_exported = 0

        self._np = np
        self._seen = {}
        self._order = 0
        self._max_export_params = max_export_params
        self._open = builtins.open
        self._dump = json.dump
        self._makedirs = os.makedirs
        self._get_objects = gc.get_objects
        self._isinstance = builtins.isinstance
        random.seed(seed)
        np.random.seed(seed)
        self._capture_keras(seed)

    def _capture_keras(self, seed):
        import keras

        keras.utils.set_random_seed(seed)
        self._keras = keras
        self._Model = keras.Model
        self._Sequential = keras.Sequential
        self._serialize = keras.saving.serialize_keras_object
        self._save_weights = keras.Model.save_weights
        try:
            from keras.src.models.functional import Functional
        except ImportError:  # older Keras 3 layouts
            Functional = ()
        self._Functional = Functional
        self._capture_callbacks(keras)

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
    def _live_models(self, user_ns, objects):
        found = {}
        for value in list(user_ns.values()):  # names first, in the order they were bound
            if self._isinstance(value, self._Model):
                found[id(value)] = value
        for obj in objects:  # then models kept only inside functions or lists
            if self._isinstance(obj, self._Model) and id(obj) not in found:
                found[id(obj)] = obj
        # a Keras 3 Sequential keeps an internal Functional twin: not a model of its own
        internal = {id(getattr(m, "_functional", None)) for m in found.values()}
        return [m for key, m in found.items() if key not in internal]

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

    def _export_model(self, model, names, directory):
        info = {"names": names, "api": self._api(model), "class": type(model).__name__,
                "reconstructed": False, "has_weights": False, "error": None}
        self._makedirs(directory, exist_ok=True)
        target = model
        if info["api"] == "subclass":
            try:
                target = self._rebuild_as_sequential(model)
                info["reconstructed"] = True
            except Exception as exc:  # recorded: the grader reports it as the reason
                info["error"] = f"subclassed model could not be rebuilt: {exc}"
                return info
        with self._open(os.path.join(directory, "model.json"), "w", encoding="utf-8") as handle:
            self._dump(self._serialize(target), handle, default=str)
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
        for name, value in list(user_ns.items()):
            if not name.startswith("_") and self._isinstance(value, self._Model):
                names_by_id.setdefault(id(value), []).append(name)
        objects = self._get_objects()  # one scan of the heap serves models and callbacks
        for model in self._live_models(user_ns, objects):
            if not self._is_new(model):
                continue
            self._seen[id(model)] = weakref.ref(model)
            if not export:
                continue
            self._order += 1
            entry_dir = os.path.join(directory, f"model{self._order}")
            try:
                info = self._export_model(model, names_by_id.get(id(model), []), entry_dir)
            except Exception as exc:  # one unexportable model must not hide the others
                info = {"names": names_by_id.get(id(model), []), "error": f"{type(exc).__name__}: {exc}"}
            info.update(order=self._order, dir=f"model{self._order}")
            manifest["models"].append(info)
        if export:
            manifest["values"], manifest["value_errors"] = self._export_values(user_ns, value_names)
            manifest["callbacks"] = self._export_callbacks(objects)
            events = list(self._compat_events)
            manifest["compat"] = [e for e in events[self._compat_exported:][:200] if self._isinstance(e, dict)]
            self._compat_exported = len(events)
            with self._open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as handle:
                self._dump(manifest, handle, default=str)


COMMAND_MARK = "#grader-command "  # a comment-only cell carrying a harvest or a call


def install(seed, max_export_params, compat_events=None):
    """Create the harness and hook it to IPython's ``post_run_cell`` event.

    The grader triggers a harvest or a function call with a cell holding only a comment
    (``#grader-command {json}``): the cell names nothing, so no student global can
    shadow or replace what it calls.
    """
    from IPython import get_ipython

    harness = Harness(seed, max_export_params, compat_events)
    shell = get_ipython()
    user_ns = shell.user_ns
    loads = json.loads

    def on_cell(result):
        raw = getattr(getattr(result, "info", None), "raw_cell", "") or ""
        if raw.startswith(COMMAND_MARK):
            harness.run_command(loads(raw[len(COMMAND_MARK):]), user_ns)

    shell.events.register("post_run_cell", on_cell)
