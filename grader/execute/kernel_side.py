"""Code that runs inside the student's kernel (its source is sent by the prelude).

It sets up determinism and runs the grader's commands (a harvest, a function call)
written in comment-only cells. It knows no framework: the inspectors' kernel code
(``grader/inspect/<framework>/kernel_side.py``) finds and exports what the notebook built,
through :attr:`Harness.extensions`; this module gives them the walk over the notebook's
names, the numbering of exported models, the variables, the compatibility layer's events
and the manifest. It judges nothing: every number that earns points is recomputed by the
grader from the files written here. The functions it relies on are captured when the
prelude runs, before any student code, so monkeypatching ``json.dumps`` or ``open``
afterwards does not change what is exported.

This module must not import anything from ``grader``: it is executed with ``exec`` in
the kernel, which may not even have the grader installed.
"""

import builtins
import json
import os
import random
import weakref

# bounds of a model's constructor arguments, exported so that the judge can call the class again
MAX_INIT_VALUES = 10_000
MAX_INIT_DEPTH = 10
MAX_INIT_STRING = 10_000


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
    """Exports models and variables after each section; installed once per kernel.

    It knows no framework: the inspectors' kernel code (``grader/inspect/<framework>/kernel_side.py``)
    hooks in through :attr:`extensions`, each with ``note_cell(user_ns, count)`` and
    ``harvest(user_ns, directory, manifest, export)``, called in the order they were installed.
    """

    def __init__(self, seed, max_export_params, compat_events=None, after_import=None):
        import numpy as np

        self.extensions = []
        self.seed = seed
        # ``after_import(name, callback)`` of the compatibility layer: an extension waits for its
        # framework's import with it (after the layer's own patches); None: it captures at once
        self.after_import = after_import

        # events of the compatibility layer (Colab stand-in, pip, magics, Keras 2 names),
        # appended by the compatibility layer (grader/execute/compat/); each harvest exports the new ones
        self._compat_events = compat_events if compat_events is not None else []
        self._compat_exported = 0

        self._np = np
        self._seen = {}
        self._order = 0
        self._max_export_params = max_export_params
        self._open = builtins.open
        self._dump = json.dump
        self._makedirs = os.makedirs
        self._isinstance = builtins.isinstance
        random.seed(seed)
        np.random.seed(seed)

    # ------------------------------------------------------------------ models, for the extensions
    def reachable(self, user_ns, is_model, open_models=True, is_open=None):
        """``{id: value}`` of the values the notebook's names reach for which ``is_model`` is true, in the order found.

        Walked, four levels deep at most: the notebook's names (in the order they were bound),
        lists, tuples, sets and dicts, the public attributes of instances of the notebook's own
        classes and of what ``is_open`` accepts, and, when ``open_models``, of the models found.
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
            if is_model(value):
                found.setdefault(id(value), value)
                if not open_models:
                    continue
                children = self._public_attributes(value)
            elif isinstance_(value, (list, tuple, set, frozenset)):
                children = list(value)[:1000]
            elif isinstance_(value, dict):
                children = list(value.values())[:1000]
            elif (is_open is not None and is_open(value)) or self._is_notebook_instance(value):
                children = self._public_attributes(value)
            if depth < 4:
                stack.extend((child, depth + 1) for child in reversed(list(children)))
        return found

    def names_by_id(self, user_ns, kind):
        """``{id: [names]}`` of the notebook's names bound to instances of ``kind``."""
        found = {}
        for name, value in list(user_ns.items()):
            if not name.startswith("_") and self._isinstance(value, kind):
                found.setdefault(id(value), []).append(name)
        return found

    def export_new(self, models, directory, manifest, export, describe, failed, created):
        """Export each of ``models`` not exported before into ``directory/model<N>``.

        ``describe(model, folder)`` writes it and returns its manifest entry; a model whose
        export raises gets ``failed(model, exc)`` instead (one must not hide the others);
        ``created(model)``: the execution count after which it was first reachable. Returns
        ``{id(model): N}`` of the models exported now. With ``export`` false the models are
        only marked as seen (after a replay).
        """
        exported = {}
        for model in models:
            if not self._is_new(model):
                continue
            self._seen[id(model)] = weakref.ref(model)
            if not export:
                continue
            self._order += 1
            entry_dir = os.path.join(directory, f"model{self._order}")
            try:
                info = describe(model, entry_dir)
            except Exception as exc:  # one unexportable model must not hide the others
                info = failed(model, exc)
            info.update(order=self._order, dir=f"model{self._order}", execution_count=created(model))
            exported[id(model)] = self._order
            manifest["models"].append(info)
        return exported

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
        """After a student cell: each extension remembers in which cell its models first appeared."""
        if not execution_count:
            return
        for extension in self.extensions:
            try:
                extension.note_cell(user_ns, execution_count)
            except Exception:  # one framework's bookkeeping must not stop another's
                pass

    def _is_new(self, model):
        ref = self._seen.get(id(model))
        return ref is None or ref() is not model

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
        """Export the models first seen in this segment (by the extensions) and the named variables."""
        directory = os.path.join(out_dir, segment)
        self._makedirs(directory, exist_ok=True)
        manifest = {"segment": segment, "models": [], "values": {}, "value_errors": {}}
        for extension in self.extensions:
            try:
                extension.harvest(user_ns, directory, manifest, export)
            except Exception as exc:  # one framework's failure must not hide the others' models
                manifest.setdefault("harvest_errors", []).append(f"{type(exc).__name__}: {exc}"[:500])
        if export:
            manifest["values"], manifest["value_errors"] = self._export_values(user_ns, value_names)
            events = list(self._compat_events)
            manifest["compat"] = [e for e in events[self._compat_exported:][:200] if self._isinstance(e, dict)]
            self._compat_exported = len(events)
            with self._open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as handle:
                self._dump(manifest, handle, default=str)


COMMAND_MARK = "#grader-command "  # a comment-only cell carrying a harvest or a call


def install(seed, max_export_params, compat_events=None, after_import=None):
    """Create the harness, hook it to IPython's ``post_run_cell`` event and return it.

    The grader triggers a harvest or a function call with a cell holding only a comment
    (``#grader-command {json}``): the cell names nothing, so no student global can
    shadow or replace what it calls.
    """
    from IPython import get_ipython

    harness = Harness(seed, max_export_params, compat_events, after_import)
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
