"""The PyTorch harvest: runs inside the student's kernel, sent by the prelude after the harness.

It exports each ``torch.nn.Module`` the notebook can reach: its ``state_dict`` as
safetensors (a header and raw buffers: loading it runs no code) and what the judge needs
to build the module again: the notebook's class and the constructor's arguments, or, for
an ``nn.Sequential`` of PyTorch's own modules, each module's class and constants. It
judges nothing. Torch is never imported here: the hooks are set once the notebook has
imported it (after the cell that does).

Like ``grader/execute/kernel_side.py``, this module must not import anything from ``grader``.
"""

import os
import sys
import weakref

MAX_DEPTH = 20  # of a Sequential inside a Sequential ...
MAX_CHILDREN = 1000
MAX_SHAPE_VALUES = 10_000_000  # of a recorded input shape: a hint, checked by the judge
MAX_RECORDED = 10_000


def _plain_constant(value):
    """A module constant as JSON (ints, floats, bools, strings, tuples of them), or raise TypeError."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)) and len(value) <= 10:
        return [_plain_constant(v) for v in value]
    raise TypeError(type(value).__name__)


class TorchHarvest:
    """Finds and exports the notebook's ``nn.Module`` instances at each harvest of the harness."""

    def __init__(self, harness, side):
        self.harness = harness
        self.constructor_call = side["constructor_call"]
        self.torch = None
        self.inputs = {}  # id(module) -> (weakref, the shape of the last input it was called with)
        self.inits = {}  # id(module) -> (weakref, constructor_call(...)) for the notebook's classes
        self.first_seen = {}  # id(module) -> (weakref, execution count)
        self._open, self._dump, self._makedirs = harness._open, harness._dump, harness._makedirs
        self._isinstance = harness._isinstance

    # ------------------------------------------------------------------ hooks
    def ready(self):
        """Torch's module, hooked once the notebook imported it; None before."""
        if self.torch is None:
            torch = sys.modules.get("torch")
            if torch is None or not hasattr(torch, "nn") or not hasattr(torch.nn, "Module"):
                return None
            self._hook(torch)
        return self.torch

    def _hook(self, torch):
        from safetensors.torch import save_file

        self.torch, self.save_file = torch, save_file
        self.Module, self.Sequential = torch.nn.Module, torch.nn.Sequential
        inputs, inits, own = self.inputs, self.inits, self._own
        constructor_call = self.constructor_call

        def remember_input(module, args):
            try:
                if args and hasattr(args[0], "shape") and len(inputs) < MAX_RECORDED:
                    inputs[id(module)] = (weakref.ref(module), [int(d) for d in args[0].shape])
            except Exception:  # bookkeeping must never turn the student's forward into an error
                pass

        torch.nn.modules.module.register_module_forward_pre_hook(remember_input)
        original = self.Module.__new__

        def __new__(cls, *args, **kwargs):
            instance = original(cls) if original is not object.__new__ else object.__new__(cls)
            try:
                if own(cls) and len(inits) < MAX_RECORDED:
                    inits[id(instance)] = (weakref.ref(instance), constructor_call(cls, args, kwargs))
            except Exception:  # recording must never turn the student's model into an error
                pass
            return instance

        __new__.__wrapped__ = original
        self.Module.__new__ = staticmethod(__new__)

    def _own(self, cls):
        return not str(getattr(cls, "__module__", "")).startswith("torch")

    @staticmethod
    def _alive(table, module):
        entry = table.get(id(module))
        return entry[1] if entry is not None and entry[0]() is module else None

    # ------------------------------------------------------------------ finding modules
    def reachable(self, user_ns):
        """``{id: module}`` of the modules the notebook's names reach (with parameters), outermost only."""
        isinstance_, Module = self._isinstance, self.Module
        found, inner = {}, set()
        for key, module in self.harness.reachable(user_ns, lambda value: isinstance_(value, Module),
                                                  open_models=False).items():
            try:
                if any(True for _ in module.parameters()):
                    found[key] = module
                    inner.update(id(m) for m in list(module.modules())[1:MAX_CHILDREN])
            except Exception:  # a module whose parameters() the notebook broke
                pass
        return {key: module for key, module in found.items() if key not in inner}

    def note_cell(self, user_ns, execution_count):
        if self.ready() is None or not execution_count:
            return
        for key, module in self.reachable(user_ns).items():
            if self._alive(self.first_seen, module) is None:
                self.first_seen[key] = (weakref.ref(module), int(execution_count))

    # ------------------------------------------------------------------ export
    def _architecture(self, module, depth=0):
        """How the judge builds ``module`` again: PyTorch's own class and constants, or the notebook's class."""
        if depth > MAX_DEPTH:
            raise ValueError("modules nested too deeply")
        cls = type(module)
        if self._own(cls):
            return {"class": cls.__name__, "init": self._alive(self.inits, module)}
        if not str(cls.__module__).startswith("torch.nn"):
            raise ValueError(f"{cls.__module__}.{cls.__name__} is not a torch.nn module")
        spec = {"torch": cls.__name__, "constants": {}}
        for name in getattr(cls, "__constants__", ()):
            if hasattr(module, name):
                try:
                    spec["constants"][name] = _plain_constant(getattr(module, name))
                except TypeError:
                    pass
        if hasattr(module, "bias") and name_of_param(module, "bias"):
            spec["constants"]["bias"] = module.bias is not None
        if self._isinstance(module, self.Sequential):
            spec["children"] = [self._architecture(child, depth + 1) for child in list(module)[:MAX_CHILDREN]]
        elif any(True for _ in module.children()):
            raise ValueError(f"{cls.__name__} holds other modules")
        return spec

    def export(self, module, names, directory):
        torch = self.torch
        cls = type(module)
        info = {"framework": "torch", "names": names, "class": cls.__name__,
                "api": "sequential" if cls is self.Sequential else "subclass",
                "reconstructed": False, "has_weights": False, "error": None, "judge": True}
        self._makedirs(directory, exist_ok=True)
        architecture = self._architecture(module)
        if "init" in architecture and architecture["init"] and architecture["init"].get("not_plain"):
            info["constructor_not_plain"] = architecture["init"]["not_plain"]
        state = {}
        for key, value in module.state_dict().items():
            if self._isinstance(value, torch.Tensor):
                state[str(key)] = value.detach().to("cpu").contiguous().clone()
        parameters = [name for name, _ in module.named_parameters()]
        shape = self._alive(self.inputs, module)
        size = 1
        for d in shape or ():
            size *= max(1, d)
        description = {"architecture": architecture, "parameters": parameters,
                       "input_shape": shape if shape and size <= MAX_SHAPE_VALUES and len(shape) <= 6 else None}
        with self._open(os.path.join(directory, "module.json"), "w", encoding="utf-8") as handle:
            self._dump(description, handle, default=str)
        count = sum(int(p.numel()) for p in module.parameters())
        if count <= self.harness._max_export_params:
            self.save_file(state, os.path.join(directory, "model.safetensors"))
            info["has_weights"] = True
        return info

    def harvest(self, user_ns, directory, manifest, export):
        """Export the modules first seen in this segment into ``directory`` (entries in ``manifest``)."""
        if self.ready() is None:
            return
        names_by_id = self.harness.names_by_id(user_ns, self.Module)
        self.harness.export_new(
            list(self.reachable(user_ns).values()), directory, manifest, export,
            lambda module, entry_dir: self.export(module, names_by_id.get(id(module), []), entry_dir),
            lambda module, exc: {"framework": "torch", "names": names_by_id.get(id(module), []),
                                 "error": f"{type(exc).__name__}: {exc}"},
            lambda module: self._alive(self.first_seen, module))


def name_of_param(module, name):
    """True when ``name`` is a parameter slot of ``module`` (a ``bias`` that may be None)."""
    return name in getattr(module, "_parameters", {})


def install(harness, side):
    """Hook the PyTorch harvest into the harness (``side``: the harness module's namespace)."""
    harness.extensions.append(TorchHarvest(harness, side))
