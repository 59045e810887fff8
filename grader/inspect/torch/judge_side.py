"""The PyTorch part of the judge process: build a notebook's module again and describe it.

Copied next to ``judge_side.py`` into the judge's folder (as ``judge_torch.py``) and
imported by it for a ``load`` request of a PyTorch module; like it, it must not import
the grader. The module is built from the notebook's class (its definitions are loaded)
or, for an ``nn.Sequential`` of PyTorch's own modules, from their classes and
constants; its tensors come from safetensors (never a pickle). Its structure is read
from one forward pass on a grader-made input: forward hooks on the leaf modules give
their order and output shapes, and the ``torch.nn.functional`` operations ``forward``
applies between them (``F.relu``, ``F.max_pool2d``, ``torch.flatten``, ``x.view``) are
seen by wrapping them while that pass runs. The grader checks what this says against
the tensor file it reads itself.
"""

import json
import os

# input shapes tried when the kernel saw no call (without the batch): images first
CANDIDATE_INPUTS = ([1, 28, 28], [1, 32, 32], [784], [28, 28], [3, 32, 32], [3, 28, 28])
MAX_PROBE_VALUES = 4_000_000
MAX_LAYERS = 500
ACTIVATION_MODULES = {"ReLU": "relu", "ReLU6": "relu6", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softmax": "softmax",
                      "LogSoftmax": "log_softmax", "ELU": "elu", "SELU": "selu", "GELU": "gelu", "SiLU": "silu",
                      "LeakyReLU": "leaky_relu", "Softplus": "softplus", "Softsign": "softsign",
                      "Hardsigmoid": "hard_sigmoid"}
# functions ``forward`` may call instead of a module: (owner, name) -> activation name
ACTIVATION_FUNCTIONS = {"relu": "relu", "relu6": "relu6", "tanh": "tanh", "sigmoid": "sigmoid",
                        "softmax": "softmax", "log_softmax": "log_softmax", "elu": "elu", "selu": "selu",
                        "gelu": "gelu", "silu": "silu", "leaky_relu": "leaky_relu", "softplus": "softplus"}
POOL_FUNCTIONS = {"max_pool1d": "MaxPool1d", "max_pool2d": "MaxPool2d", "max_pool3d": "MaxPool3d",
                  "avg_pool1d": "AvgPool1d", "avg_pool2d": "AvgPool2d", "avg_pool3d": "AvgPool3d"}


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value][:10]
    return str(value)[:100]


def _build(torch, architecture, definitions, from_plain, depth=0):
    """The module ``architecture`` (as the kernel's torch harvest described it) built again."""
    import inspect

    if depth > 20 or not isinstance(architecture, dict):
        raise ValueError("the module's description is malformed")
    if "torch" in architecture:
        cls = getattr(torch.nn, str(architecture["torch"]), None)
        if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
            raise ValueError(f"torch.nn has no module {architecture['torch']!r}")
        if "children" in architecture:
            return cls(*[_build(torch, child, definitions, from_plain, depth + 1) for child in architecture["children"]])
        accepted = inspect.signature(cls.__init__).parameters
        constants = architecture.get("constants") or {}
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in constants.items() if k in accepted}
        return cls(**kwargs)
    cls = definitions.get(str(architecture.get("class")))
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise ValueError(f"the notebook defines no module class {architecture.get('class')!r}")
    init = architecture.get("init") or {}
    if init.get("not_plain"):
        raise ValueError(f"created with arguments that are not plain values: {', '.join(init['not_plain'])}")
    return cls(*from_plain(init.get("args") or []), **from_plain(init.get("kwargs") or {}))


def _count(tensors):
    return int(sum(int(t.numel()) for t in tensors))


class _Tracer:
    """One forward pass, recording the leaf modules and the functional operations outside them."""

    def __init__(self, torch, model):
        self.torch, self.model = torch, model
        self.events, self.depth = [], 0
        self.names = {id(m): n for n, m in model.named_modules()}

    def _shape(self, value):
        if isinstance(value, (tuple, list)) and value:
            value = value[0]
        return [int(d) for d in value.shape] if hasattr(value, "shape") else None

    def _module_hooks(self):
        handles = []
        for module in self.model.modules():
            if any(True for _ in module.children()):
                continue

            def pre(module, args):
                self.depth += 1

            def post(module, args, output):
                self.depth -= 1
                if len(self.events) < MAX_LAYERS:
                    self.events.append(("module", module, self._shape(output)))

            handles += [module.register_forward_pre_hook(pre), module.register_forward_hook(post)]
        return handles

    def _wrap(self, owner, name, describe):
        original = owner.__dict__.get(name)
        function = getattr(owner, name)
        tracer = self

        def wrapper(*args, **kwargs):
            if tracer.depth:
                return function(*args, **kwargs)
            tracer.depth += 1
            try:
                out = function(*args, **kwargs)
            finally:
                tracer.depth -= 1
            event = describe(args, kwargs, out)
            if event is not None and len(tracer.events) < MAX_LAYERS:
                tracer.events.append(("function",) + event)
            return out

        setattr(owner, name, wrapper)
        return owner, name, original

    def _function_patches(self):
        torch = self.torch
        F = torch.nn.functional
        patches = []

        def activation(label):
            return lambda args, kwargs, out: ({"class": "function", "activation": label}, self._shape(out))

        for name, label in ACTIVATION_FUNCTIONS.items():
            for owner in (F, torch, torch.Tensor):
                if hasattr(owner, name):
                    patches.append(self._wrap(owner, name, activation(label)))

        def pool(cls):
            def describe(args, kwargs, out):
                kernel = kwargs.get("kernel_size", args[1] if len(args) > 1 else None)
                stride = kwargs.get("stride", args[2] if len(args) > 2 else None)
                padding = kwargs.get("padding", args[3] if len(args) > 3 else 0)
                return {"class": cls, "kernel": _plain(kernel), "stride": _plain(stride or kernel),
                        "padding": _plain(padding)}, self._shape(out)
            return describe

        for name, cls in POOL_FUNCTIONS.items():
            patches.append(self._wrap(F, name, pool(cls)))

        def flatten(args, kwargs, out):
            before = self._shape(args[0]) if args else None
            after = self._shape(out)
            if before and after and len(before) > 2 and len(after) == 2:
                return {"class": "Flatten"}, after
            return None

        for owner, name in ((torch, "flatten"), (torch, "reshape"), (torch.Tensor, "view"),
                            (torch.Tensor, "reshape"), (torch.Tensor, "flatten")):
            patches.append(self._wrap(owner, name, flatten))
        return patches

    def run(self, probe):
        handles = self._module_hooks()
        patches = self._function_patches()
        try:
            with self.torch.no_grad():
                return self.model(probe)
        finally:
            for owner, name, original in reversed(patches):
                if original is None:
                    delattr(owner, name)
                else:
                    setattr(owner, name, original)
            for handle in handles:
                handle.remove()


def _module_layer(torch, name, module, shape):
    cls = type(module).__name__
    layer = {"name": name or cls.lower(), "class": cls, "output_shape": shape,
             "params": _count(module.parameters()),
             "trainable": _count(p for p in module.parameters() if p.requires_grad),
             "buffers": _count(module.buffers())}
    for attribute, key in (("out_features", "width"), ("out_channels", "width"), ("kernel_size", "kernel"),
                           ("stride", "stride"), ("padding", "padding"), ("p", "rate")):
        if hasattr(module, attribute):
            layer[key] = _plain(getattr(module, attribute))
    if cls in ACTIVATION_MODULES:
        layer["activation"] = ACTIVATION_MODULES[cls]
    return layer


def describe(torch, model, probe):
    """``(layers, output shape)`` of one forward pass of ``model`` on ``probe``."""
    tracer = _Tracer(torch, model)
    output = tracer.run(probe)
    layers = []
    for event in tracer.events:
        if event[0] == "module":
            _, module, shape = event
            layers.append(_module_layer(torch, tracer.names.get(id(module), ""), module, shape))
        else:
            _, found, shape = event
            cls = found.pop("class")
            if cls == "function":
                cls = next((k for k, v in ACTIVATION_MODULES.items() if v == found["activation"]), "ReLU")
            layers.append({"name": f"F.{cls.lower()}", "class": cls, "output_shape": shape, "params": 0,
                           "trainable": 0, "buffers": 0, "functional": True, **found})
    return layers, tracer._shape(output)


def _probe_shapes(hint):
    shapes = []
    if isinstance(hint, list) and 1 < len(hint) <= 6 and all(isinstance(d, int) and 0 < d <= 4096 for d in hint):
        shapes.append(list(hint[1:]))
    shapes += [list(s) for s in CANDIDATE_INPUTS if list(s) not in shapes]
    return shapes


def load(directory, definitions, side):
    """``(model, answer)``: the module in ``directory`` built again, its tensors loaded, described.

    ``side``: the judge protocol's namespace (its ``from_plain`` reads the constructor's arguments).
    """
    import numpy as np
    import torch
    from safetensors.torch import load_file

    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1") or 1)))
    with open(os.path.join(directory, "module.json"), encoding="utf-8") as handle:
        description = json.load(handle)
    torch.manual_seed(0)
    model = _build(torch, description.get("architecture"), definitions, side["from_plain"])
    if not isinstance(model, torch.nn.Module):
        raise TypeError("the exported object is not a torch.nn.Module")
    weights = os.path.join(directory, "model.safetensors")
    if os.path.isfile(weights):
        model.load_state_dict(load_file(weights), strict=True)
    model.eval()
    layers, output, input_shape, failures = [], None, None, []
    for shape in _probe_shapes(description.get("input_shape")):
        if int(np.prod(shape)) * 2 > MAX_PROBE_VALUES:
            continue
        try:
            layers, output = describe(torch, model, torch.zeros([2] + shape))
        except Exception as exc:  # this input does not fit the module: the next one may
            failures.append(f"{shape}: {type(exc).__name__}: {exc}"[:200])
            continue
        input_shape = [None] + shape
        break
    if input_shape is None:
        raise ValueError("the module runs on none of the grader's inputs: " + "; ".join(failures[:3]))
    return model, {
        "ok": True,
        "framework": "torch",
        "class": type(model).__name__,
        "parameters": [[name, int(p.numel()), bool(p.requires_grad)] for name, p in model.named_parameters()],
        "buffers": [[name, int(b.numel())] for name, b in model.named_buffers()],
        "layers": layers,
        "input_shape": input_shape,
        "output_shape": [None] + output[1:] if output else None,
    }


def predict(model, array, step):
    """The module's outputs for ``array`` (batches of ``step``), as float32 NumPy."""
    import numpy as np
    import torch

    outputs = []
    with torch.no_grad():
        for start in range(0, len(array), step):
            out = model(torch.from_numpy(np.ascontiguousarray(array[start:start + step])))
            if isinstance(out, (tuple, list)):
                out = out[0]
            outputs.append(out.detach().to("cpu").float().numpy())
    return np.concatenate(outputs) if outputs else np.zeros((0,), "float32")
