"""Judge-side units of a PyTorch training system: the notebook's definitions on the grader's inputs.

Copied next to ``judge_side.py`` into the judge's folder (as ``judge_torch_units.py``) and
imported by it for a ``unit`` request; like it, it must not import the grader. Each unit
builds its own inputs (a grader-made dataset, a tiny model, scripted losses, a counting
optimizer), calls the student's class or function on them and answers *measurements*:
plain numbers and short lists. The grader's check (:mod:`grader.checks.torch_unit`)
decides pass or fail from them and from the reference's measurements; nothing the
student's kernel printed or computed is read.

Every unit is seeded (``torch``, ``random``, NumPy), runs on one thread with
deterministic algorithms, and compares floats with tolerances in the grader.
"""

import os
import random
import tempfile

MAX_ITEMS = 200  # of any list a unit answers


class WrongReturn(TypeError):
    """The student's function returned something else than what the unit reads."""

    def __init__(self, returned, expected):
        super().__init__(f"returned {returned}, not {expected}")
        self.returned, self.expected = returned[:100], expected


def _torch():
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    return torch


def _seed(torch, seed):
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _defined(definitions, name, kind):
    value = definitions.get(str(name))
    if value is None:
        raise LookupError(f"missing:{name}")
    if kind == "class" and not isinstance(value, type):
        raise LookupError(f"missing:{name}")
    if not callable(value):
        raise LookupError(f"missing:{name}")
    return value


def _number(value):
    """A float from a Python number, a 0-d tensor or array; None otherwise."""
    try:
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, bool):
            return None
        return float(value) if isinstance(value, (int, float)) else None
    except (TypeError, ValueError, RuntimeError):
        return None


# ------------------------------------------------------------------ the model
def _leaf_sequence(torch, model, probe):
    """The leaf modules in the order one forward pass calls them, each as a short description."""
    calls, handles = [], []

    def describe(module):
        name = type(module).__name__
        fields = []
        for attribute in ("in_channels", "out_channels", "in_features", "out_features", "kernel_size", "stride",
                          "padding", "num_features", "p"):
            if hasattr(module, attribute):
                value = getattr(module, attribute)
                fields.append(f"{attribute}={tuple(value) if isinstance(value, (list, tuple)) else value}")
        return f"{name}({', '.join(fields)})"[:200]

    for module in model.modules():
        if not any(True for _ in module.children()):
            handles.append(module.register_forward_hook(
                lambda m, args, out: calls.append(describe(m)) if len(calls) < MAX_ITEMS else None))
    try:
        with torch.no_grad():
            output = model(probe)
    finally:
        for handle in handles:
            handle.remove()
    return calls, output


def unit_model(definitions, params):
    """Each variant of the class built, counted, and run on a grader-made batch."""
    torch = _torch()
    cls = _defined(definitions, params.get("class", "AdvancedCNN"), "class")
    shape = [int(d) for d in params.get("input_shape", [3, 32, 32])]
    batch = int(params.get("batch", 4))
    variants = []
    for kwargs in params.get("variants", [{}]):
        _seed(torch, 0)
        try:
            model = cls(**dict(kwargs))
            if not isinstance(model, torch.nn.Module):
                raise TypeError("not a torch.nn.Module")
            model.eval()
            layers, output = _leaf_sequence(torch, model, torch.randn([batch] + shape))
            leaves = [type(m).__name__ for m in model.modules() if not any(True for _ in m.children())]
            variants.append({
                "params": int(sum(p.numel() for p in model.parameters())),
                "trainable": int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
                "layers": layers,
                "output_shape": [int(d) for d in output.shape] if hasattr(output, "shape") else None,
                "batchnorm": sum(1 for n in leaves if n.startswith("BatchNorm")),
                "identity": sum(1 for n in leaves if n == "Identity"),
            })
        except Exception as exc:  # this variant only
            variants.append({"error": f"{type(exc).__name__}: {exc}"[:300]})
    return {"variants": variants, "batch": batch}


# ------------------------------------------------------------------ the data
class GraderDataset:
    """A dataset as torchvision's CIFAR10 looks to the student's code: ``.targets``, ``.classes``, items."""

    def __init__(self, targets, shape=(3, 4, 4)):
        import torch

        self.targets = list(targets)
        self.classes = [f"classe {c}" for c in range(max(self.targets) + 1)]
        self._image = torch.zeros(shape)
        self.data = None  # the images are not needed by the units

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return self._image, self.targets[index]


def _shuffled_targets(counts, seed):
    targets = [c for c, n in enumerate(counts) for _ in range(int(n))]
    random.Random(seed).shuffle(targets)
    return targets


def _indices_of(subset):
    indices = getattr(subset, "indices", None)
    if indices is None:
        raise WrongReturn(type(subset).__name__, "Subset")
    return [int(i) for i in (indices.tolist() if hasattr(indices, "tolist") else list(indices))]


def _counts_list(value, classes):
    """The counts the student returned, as a list per class (dict, Counter, list, array); None when unreadable."""
    try:
        if isinstance(value, dict):
            return [int(_number(value.get(c, value.get(str(c), 0))) or 0) for c in range(classes)]
        if hasattr(value, "tolist"):
            value = value.tolist()
        if isinstance(value, (list, tuple)) and len(value) == classes:
            return [int(v) for v in value]
    except (TypeError, ValueError):
        return None
    return None


def unit_imbalance(definitions, params):
    """The student's function on a grader-made dataset: what it kept, per class, counted by the judge."""
    torch = _torch()
    function = _defined(definitions, params.get("function", "create_imbalanced_cifar10"), "function")
    per_class = [int(n) for n in params.get("per_class", [1000] * 10)]
    dataset = GraderDataset(_shuffled_targets(per_class, int(params.get("seed", 7))))
    _seed(torch, int(params.get("seed", 7)))
    result = function(dataset, list(params.get("classes", [0, 1, 2])), float(params.get("ratio", 0.1)))
    subset, counts = (result[0], result[1]) if isinstance(result, tuple) and len(result) >= 2 else (result, None)
    indices = _indices_of(subset)
    in_range = all(0 <= i < len(dataset) for i in indices)
    kept = [0] * len(per_class)
    for i in indices:
        if 0 <= i < len(dataset):
            kept[dataset.targets[i]] += 1
    return {"kept": kept, "total": per_class, "unique": len(set(indices)) == len(indices), "in_range": in_range,
            "length": int(len(subset)) if hasattr(subset, "__len__") else None,
            "counts": _counts_list(counts, len(per_class))}


def unit_sampler(definitions, params):
    """The student's sampler for grader-made targets: its weights against 1/count, and what it draws."""
    torch = _torch()
    function = _defined(definitions, params.get("function", "criar_sampler_balanceado"), "function")
    per_class = [int(n) for n in params.get("per_class", [50, 50, 50] + [500] * 7)]
    seed = int(params.get("seed", 11))
    targets = _shuffled_targets(per_class, seed)
    _seed(torch, seed)
    sampler = function(list(targets))
    weights = getattr(sampler, "weights", None)
    if weights is None:
        raise WrongReturn(type(sampler).__name__, "WeightedRandomSampler")
    weights = torch.as_tensor(weights, dtype=torch.float64).flatten()
    answer = {"length": int(weights.numel()), "samples": len(targets),
              "replacement": bool(getattr(sampler, "replacement", False)),
              "num_samples": int(getattr(sampler, "num_samples", 0) or 0)}
    if weights.numel() == len(targets):
        expected = torch.tensor([1.0 / per_class[t] for t in targets], dtype=torch.float64)
        answer["max_rel_error"] = float(((weights - expected).abs() / expected).max())
    # the balanced loader: the sampler's draws, seeded, by class
    _seed(torch, seed)
    drawn = [0] * len(per_class)
    for n, index in enumerate(iter(sampler)):
        if n >= 4 * len(targets):
            break
        index = int(index)
        if 0 <= index < len(targets):
            drawn[targets[index]] += 1
    total = sum(drawn)
    answer["frequencies"] = [round(d / total, 6) if total else 0.0 for d in drawn]
    return answer


# ------------------------------------------------------------------ the training system
def _tiny_model(torch, features=48, classes=10):
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(features, classes))


def _loader(torch, inputs, labels, batch):
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(inputs, labels), batch_size=batch, shuffle=False)


def _counting_optimizer(torch):
    class CountingOptimizer(torch.optim.SGD):
        """An SGD with learning rate 0 that records, at each step, the gradients it was given."""

        def __init__(self, params):
            super().__init__(params, lr=0.0)
            self.steps, self.zero_grads, self.seen = 0, 0, []

        def zero_grad(self, set_to_none=True):
            self.zero_grads += 1
            return super().zero_grad(set_to_none=set_to_none)

        def step(self, closure=None):
            self.steps += 1
            if len(self.seen) < 50:
                self.seen.append([None if p.grad is None else p.grad.detach().clone()
                                  for group in self.param_groups for p in group["params"]])
            return None

    return CountingOptimizer


def _system(definitions, params, model, config):
    cls = _defined(definitions, params.get("class", "TrainingSystem"), "class")
    return cls(model, dict(config))


def _replace_optimizers(torch, system, model):
    """Every optimizer the system holds replaced by one counting optimizer over the model's parameters."""
    counting = _counting_optimizer(torch)(model.parameters())
    replaced = [name for name, value in list(vars(system).items()) if isinstance(value, torch.optim.Optimizer)]
    for name in replaced:
        setattr(system, name, counting)
    if not replaced:
        system.optimizer = counting
    return counting


def _expected_grads(torch, model, batches, divide):
    """The gradients of the summed, divided losses of ``batches`` (grader code, the model's current parameters)."""
    model.zero_grad(set_to_none=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    for inputs, labels in batches:
        (loss_fn(model(inputs), labels) / divide).backward()
    grads = [p.grad.detach().clone() for p in model.parameters()]
    model.zero_grad(set_to_none=True)
    return grads


def _difference(seen, expected):
    if seen is None or len(seen) != len(expected) or any(g is None for g in seen):
        return None
    return float(max(((g - e).abs().max() / (e.abs().max() + 1e-12)) for g, e in zip(seen, expected)))


def _norm(grads):
    return float(sum(float((g.double() ** 2).sum()) for g in grads if g is not None) ** 0.5)


def _batches(torch, count, batch, scale, seed):
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(count * batch, 3, 4, 4, generator=generator) * scale
    labels = torch.randint(0, 10, (count * batch,), generator=generator)
    return inputs, labels, [(inputs[i:i + batch], labels[i:i + batch]) for i in range(0, count * batch, batch)]


def _counted_epoch(definitions, params, batches, scale, seed):
    """One ``train_epoch`` of the student's system on a tiny model, its optimizers counting.

    Returns torch, the model, the counting optimizer, the groups of ``steps`` batches each
    optimizer step should cover, the number of batches and ``steps``.
    """
    torch = _torch()
    _seed(torch, 0)
    model = _tiny_model(torch)
    system = _system(definitions, params, model, params.get("config", {}))
    counting = _replace_optimizers(torch, system, model)
    count, batch, steps = int(params.get("batches", batches)), int(params.get("batch", 4)), int(params.get("steps", 2))
    inputs, labels, made = _batches(torch, count, batch, scale, seed)
    system.train_epoch(_loader(torch, inputs, labels, batch))
    groups = [made[i:i + steps] for i in range(0, count, steps)]
    return torch, model, counting, groups, count, steps


def unit_accumulation(definitions, params):
    """``train_epoch`` on a tiny model without BatchNorm: optimizer steps and the gradients each step is given."""
    torch, model, counting, groups, count, steps = _counted_epoch(definitions, params, 5, 1.0, 3)
    differences = []
    for seen, group in zip(counting.seen, groups):
        if len(group) == steps:  # a full group: its summed, divided gradients are the full batch's
            differences.append(_difference(seen, _expected_grads(torch, model, group, steps)))
    return {"steps": counting.steps, "batches": count, "differences": differences[:MAX_ITEMS]}


def unit_clipping(definitions, params):
    """``train_epoch`` on large gradients: the gradient norm each optimizer step is given, and the unclipped one."""
    scale = float(params.get("scale", 50.0))
    torch, model, counting, groups, _, steps = _counted_epoch(definitions, params, 4, scale, 5)
    norms = [_norm(seen) for seen in counting.seen]
    unclipped = [_norm(_expected_grads(torch, model, group, steps)) for group in groups][:len(norms)]
    return {"steps": counting.steps, "norms": norms[:MAX_ITEMS], "unclipped": unclipped[:MAX_ITEMS]}


def unit_early_stopping(definitions, params):
    """``train`` with a scripted ``train_epoch`` (the weights become the epoch's number) and scripted losses."""
    torch = _torch()
    _seed(torch, 0)
    model = _tiny_model(torch)
    folder = tempfile.mkdtemp(prefix="early-")
    config = dict(params.get("config", {}), checkpoint_path=os.path.join(folder, "melhor_modelo.pt"))
    system = _system(definitions, params, model, config)
    losses = [float(v) for v in params.get("losses", [])]
    calls = {"train": 0, "validate": 0}

    def train_epoch(*args, **kwargs):
        calls["train"] += 1
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(float(calls["train"]))
        return 1.0 / calls["train"], 0.5

    def validate(*args, **kwargs):
        calls["validate"] += 1
        epoch = min(calls["validate"], len(losses)) - 1
        return losses[epoch], 0.5

    system.train_epoch, system.validate = train_epoch, validate
    inputs, labels, _ = _batches(torch, 1, 4, 1.0, 9)
    loader = _loader(torch, inputs, labels, 4)
    system.train(loader, loader)
    values = [float(v) for p in model.parameters() for v in p.detach().flatten()[:5]]
    same = all(v == values[0] for v in values)
    return {"epochs": calls["train"], "validations": calls["validate"], "weights": values[0] if same else None}


def _bn_model(torch):
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(64, 10))


def unit_checkpoint(definitions, params):
    """A system's checkpoint saved, then loaded into another system with other weights: the same outputs."""
    torch = _torch()
    folder = tempfile.mkdtemp(prefix="checkpoint-")
    path = os.path.join(folder, "checkpoint.pt")
    config = dict(params.get("config", {}), checkpoint_path=path)
    _seed(torch, 1)
    saved = _bn_model(torch)
    with torch.no_grad():  # running statistics that are not the defaults: buffers must travel too
        saved[1].running_mean.uniform_(-1, 1)
        saved[1].running_var.uniform_(0.5, 2)
    _system(definitions, params, saved, config).save_checkpoint(path)
    _seed(torch, 2)
    loaded = _bn_model(torch)
    _system(definitions, params, loaded, config).load_checkpoint(path)
    probe = torch.randn(8, 3, 4, 4, generator=torch.Generator().manual_seed(4))
    saved.eval()
    loaded.eval()
    with torch.no_grad():
        difference = float((saved(probe) - loaded(probe)).abs().max())
    return {"written": os.path.isfile(path), "max_difference": difference}


def _short_run_data(torch, count, seed):
    """Images whose class is a colour pattern plus noise: a small CNN learns them in a few steps."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(count) % 10
    patterns = torch.randn(10, 3, 1, 1, generator=generator)
    inputs = patterns[labels] + 0.5 * torch.randn(count, 3, 32, 32, generator=generator)
    return inputs, labels


def _small_cnn(torch):
    return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(4), torch.nn.Flatten(), torch.nn.Dropout(0.3),
                               torch.nn.Linear(8 * 8 * 8, 10))


def _loss_on(torch, model, inputs, labels):
    model.eval()
    with torch.no_grad():
        return float(torch.nn.functional.cross_entropy(model(inputs), labels))


def unit_short_run(definitions, params):
    """One epoch of the student's system (its own optimizer) on a small grader-made slice: the loss before and after."""
    torch = _torch()
    _seed(torch, 0)
    model = _small_cnn(torch)
    system = _system(definitions, params, model, params.get("config", {}))
    optimizer = getattr(system, "optimizer", None)
    group = optimizer.param_groups[0] if isinstance(optimizer, torch.optim.Optimizer) else {}
    inputs, labels = _short_run_data(torch, int(params.get("samples", 128)), 13)
    before = _loss_on(torch, model, inputs, labels)
    _seed(torch, 1)
    returned = system.train_epoch(_loader(torch, inputs, labels, int(params.get("batch", 16))))
    after = _loss_on(torch, model, inputs, labels)
    values = returned if isinstance(returned, (tuple, list)) else [returned]
    return {"optimizer": type(optimizer).__name__[:100], "lr": _number(group.get("lr")),
            "weight_decay": _number(group.get("weight_decay")), "before": before, "after": after,
            "returned": [_number(v) for v in list(values)[:4]]}


UNITS = {"model": unit_model, "imbalance": unit_imbalance, "sampler": unit_sampler,
         "accumulation": unit_accumulation, "clipping": unit_clipping, "early_stopping": unit_early_stopping,
         "checkpoint": unit_checkpoint, "short_run": unit_short_run}


def run(unit, params, definitions):
    """``{"ok": True, "result": ...}`` or ``{"ok": False, "missing" | "error": ...}`` for one unit."""
    function = UNITS.get(str(unit))
    if function is None:
        return {"ok": False, "error": f"unknown unit {unit!r}"}
    definitions.setdefault("device", "cpu")  # a global the notebook's methods often read
    definitions.setdefault("DEVICE", "cpu")
    try:
        return {"ok": True, "result": function(definitions, dict(params or {}))}
    except WrongReturn as exc:
        return {"ok": False, "returned": exc.returned, "expected": exc.expected}
    except LookupError as exc:
        text = str(exc).strip("'\"")
        if text.startswith("missing:"):
            return {"ok": False, "missing": text[len("missing:"):][:100]}
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    except Exception as exc:  # the student's code failed on the grader's inputs
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
