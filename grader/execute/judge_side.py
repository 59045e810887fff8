"""The judge process: load models that need the student's own classes, and describe them.

Started by :mod:`grader.inspect.judge` after the student's kernel is gone, in the same
sandbox (no network, no dataset, only its own folder), by path: it must not import the
grader. It executes only the notebook's definitions (imports, classes, functions and
literal constants, extracted by the grader) and then answers requests on its stdin:

* ``{"op": "load", "key": K, "dir": D, "framework": F}``: rebuild the model in ``D``
  (``model.json`` + ``model.weights.h5``) with the notebook's classes; answer its weights'
  sizes, its layers in the order its ``call()`` uses them (a layer used twice appears
  twice), and its input and output shapes. Another framework than Keras is the module
  ``judge_<F>.py`` next to this file (an inspector's judge code, copied by the grader):
  its ``load(directory, definitions)`` and ``predict(model, array, step)`` answer;
* ``{"op": "predict", "key": K}`` followed by an array: answer the model's outputs;
* ``{"op": "unit", "framework": F, "unit": U, "params": P}``: run the grader's unit ``U``
  (module ``judge_<F>_units.py`` next to this file, its ``run(unit, params, definitions)``)
  on the notebook's definitions and answer its measurements;
* ``{"op": "quit"}``.

Frames: 8-byte big-endian length, then a JSON header; an array follows its header as
raw bytes (``shape``, ``dtype``, ``nbytes`` in the header). The grader trusts none of
this blindly: it recounts the parameters from the weight file itself and computes every
accuracy from the outputs with labels the judge never sees.
"""

import json
import os
import struct
import sys

MAX_HEADER = 16 * 1024 * 1024
# TensorFlow ops a call() may apply between two layers (tf.nn.relu(self.conv1(x)),
# keras.activations.tanh, keras.ops.softmax ...): the Keras activation each one is
ACTIVATION_OPS = {"Relu": "relu", "Relu6": "relu6", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softmax": "softmax",
                  "LogSoftmax": "log_softmax", "Elu": "elu", "Selu": "selu", "LeakyRelu": "leaky_relu",
                  "Softplus": "softplus", "Softsign": "softsign"}


def _read_exact(stream, size):
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the grader closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream):
    (size,) = struct.unpack(">Q", _read_exact(stream, 8))
    if size > MAX_HEADER:
        raise ValueError("frame too large")
    return json.loads(_read_exact(stream, size).decode("utf-8"))


def _write_frame(stream, header, payload=b""):
    blob = json.dumps(header, default=str).encode("utf-8")
    stream.write(struct.pack(">Q", len(blob)) + blob + payload)
    stream.flush()


def _plain(value, depth=0):
    """A JSON-safe copy of a layer config (nested dicts/lists of plain values)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth > 6:
        return str(value)[:200]
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value][:100]
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in list(value.items())[:100]}
    return str(value)[:200]


def _from_plain(value):
    """A constructor argument as the kernel's harness exported it (tagged tuples and dicts)."""
    if isinstance(value, list):
        return [_from_plain(v) for v in value]
    if isinstance(value, dict):
        if list(value) == ["__tuple__"]:
            return tuple(_from_plain(v) for v in value["__tuple__"])
        if list(value) == ["__dict__"]:
            return {_from_plain(k): _from_plain(v) for k, v in value["__dict__"]}
        return {str(k): _from_plain(v) for k, v in value.items()}
    return value


def _shape(value):
    try:
        return [None if d is None else int(d) for d in value]
    except TypeError:
        return None


def _leaf_calls(keras, forward, mark=lambda: None):
    """``forward()``'s result, and the leaf layers it called in order: ``(layer, output, mark before, mark after)``.

    ``Layer.__call__`` is wrapped while ``forward`` runs; a leaf is a layer that calls no
    other layer, called inside the model (a layer used twice appears twice).
    """
    Layer = keras.layers.Layer
    original = Layer.__call__
    stack, calls = [], []

    def traced(layer, *args, **kwargs):
        before = mark()
        frame = [layer, 0]
        if stack:
            stack[-1][1] += 1
        stack.append(frame)
        try:
            out = original(layer, *args, **kwargs)
        finally:
            stack.pop()
        if frame[1] == 0 and stack:
            calls.append((layer, out, before, mark()))
        return out

    Layer.__call__ = traced
    try:
        return forward(), calls
    finally:
        Layer.__call__ = original


def _activation_after(tensor, inside):
    """The activation op applied to ``tensor`` outside every layer (through Identity ops), or None."""
    frontier = [tensor] if hasattr(tensor, "consumers") else []
    for _ in range(3):
        following = []
        for current in frontier:
            for op in current.consumers():
                if op.name in inside:
                    continue
                if op.type in ACTIVATION_OPS:
                    return ACTIVATION_OPS[op.type]
                if op.type == "Identity":
                    following.extend(op.outputs)
        frontier = following
    return None


class Judge:
    def __init__(self, definitions_path):
        import numpy as np

        self.np = np
        self.models = {}
        self.frameworks = {}  # key -> the judge module of a model that is not Keras
        self.definitions = {"__name__": "__main__", "__builtins__": __builtins__}
        self.failed_statements = self._define(definitions_path)

    def _define(self, path):
        """Run each top-level definition on its own: one that fails (a Colab import) skips only itself."""
        import ast

        source = open(path, encoding="utf-8").read()
        failed = []
        for node in ast.parse(source).body:
            code = compile(ast.Module(body=[node], type_ignores=[]), "<notebook definitions>", "exec")
            try:
                exec(code, self.definitions)
            except Exception as exc:  # the statement's own error; the others still run
                failed.append(f"line {node.lineno}: {type(exc).__name__}: {exc}"[:300])
        return failed[:50]

    @property
    def keras(self):
        import keras  # only for Keras models: a judge of PyTorch modules never imports TensorFlow

        return keras

    def load_other(self, key, directory, framework):
        """A model of another framework, by the inspector's judge module ``judge_<framework>.py``."""
        import importlib

        if not framework.isidentifier() or framework == "keras":
            raise ValueError(f"unknown framework {framework!r}")
        module = importlib.import_module(f"judge_{framework}")
        model, answer = module.load(directory, self.definitions)
        self.models[key], self.frameworks[key] = model, module
        return answer

    def unit(self, framework, unit, params):
        """A grader unit on the notebook's definitions (``judge_<framework>_units.py``): its measurements."""
        import importlib

        if not framework.isidentifier():
            raise ValueError(f"unknown framework {framework!r}")
        return importlib.import_module(f"judge_{framework}_units").run(unit, params, self.definitions)

    def _custom_objects(self):
        return {k: v for k, v in self.definitions.items() if isinstance(v, type) or callable(v)}

    def _build(self, model, config):
        """Call the model once: a subclass "built" from its build config has no weights until then."""
        build = (config or {}).get("build_config") or {}
        shape = build.get("input_shape")
        if shape and not isinstance(shape[0], (list, tuple)):
            probe = self.np.zeros([1] + [28 if d is None else int(d) for d in shape[1:]], "float32")
            model(probe)
        return shape

    def load(self, key, directory):
        keras = self.keras
        with open(os.path.join(directory, "model.json"), encoding="utf-8") as handle:
            config = json.load(handle)
        custom = self._custom_objects()
        cls = custom.get(config.get("class_name"))
        init = config.get("grader_init")  # the arguments the kernel saw the class called with, plain values
        if isinstance(cls, type) and isinstance(init, dict) and "args" in init:
            model = cls(*_from_plain(init["args"]), **_from_plain(init.get("kwargs") or {}))
        else:
            try:
                model = keras.saving.deserialize_keras_object(config, custom_objects=custom, safe_mode=False)
            except Exception as first:  # a class whose __init__ arguments Keras did not capture
                if not isinstance(cls, type):
                    raise first
                model = cls()
        if not isinstance(model, keras.Model):
            raise TypeError("the exported object is not a Keras model")
        shape = self._build(model, config)
        weights = os.path.join(directory, "model.weights.h5")
        if os.path.isfile(weights):
            model.load_weights(weights)
        self.models[key] = model
        input_shape = None
        if shape and not isinstance(shape[0], (list, tuple)):
            input_shape = [None] + [None if d is None else int(d) for d in shape[1:]]
        elif getattr(model, "inputs", None) and len(model.inputs) == 1:
            input_shape = _shape(model.inputs[0].shape)
        layers, output = self._trace(model, input_shape)
        return {
            "ok": True,
            "class": type(model).__name__,
            "weights": [int(self.np.prod(v.shape)) for v in model.weights],
            "trainable": [int(self.np.prod(v.shape)) for v in model.trainable_weights],
            "layers": layers,
            "input_shape": input_shape,
            "output_shape": output,
        }

    def _trace(self, model, input_shape):
        """The leaf layers in the order one forward pass calls them, with their output shapes."""
        np, keras = self.np, self.keras
        if not input_shape:
            return [], None
        probe = np.zeros([1] + [28 if d is None else int(d) for d in input_shape[1:]], "float32")
        output, calls = _leaf_calls(keras, lambda: model(probe))
        layers = []
        for layer, out, _, _ in calls[:500]:
            try:
                config = layer.get_config()
            except Exception:  # a custom layer without get_config
                config = {}
            shape = _shape(getattr(out, "shape", None))
            layers.append({
                "name": str(layer.name), "class": type(layer).__name__, "config": _plain(config),
                "output_shape": [None] + shape[1:] if shape else None,
                "params": int(sum(int(np.prod(v.shape)) for v in layer.weights)),
                "trainable": int(sum(int(np.prod(v.shape)) for v in layer.trainable_weights)),
            })
        in_call = self._activations_in_call(model, probe)
        if in_call is not None and len(in_call) >= len(layers):
            for layer, activation in zip(layers, in_call):
                config = layer["config"]
                if activation and "activation" in config and config["activation"] in (None, "linear"):
                    config["activation"] = activation
                    layer["activation_in_call"] = True
        shape = _shape(getattr(output, "shape", None))
        return layers, ([None] + shape[1:] if shape else None)

    def _activations_in_call(self, model, probe):
        """Per leaf layer call, in call order: the activation ``call()`` applies to the layer's output itself.

        ``x = tf.nn.relu(self.conv1(x))`` makes conv1 a ReLU convolution, as
        ``Conv2D(..., activation="relu")`` would. Read from the TensorFlow graph of one
        forward pass: an activation op that takes the layer's output and belongs to no layer.
        ``None`` when this cannot be told (another backend, a call() that does not trace).
        """
        try:
            import tensorflow as tf

            if self.keras.backend.backend() != "tensorflow":
                return None
        except Exception:  # noqa: BLE001 - no TensorFlow: layers keep their own activations
            return None

        def operations():
            return tf.compat.v1.get_default_graph().get_operations()

        def forward():
            return tf.function(lambda x: model(x, training=False)).get_concrete_function(
                tf.TensorSpec(probe.shape, tf.float32))

        try:
            concrete, traced = _leaf_calls(self.keras, forward, lambda: len(operations()))
        except Exception:  # noqa: BLE001 - a call() that only runs eagerly: no graph to read
            return None
        ops = concrete.graph.get_operations()  # in creation order: each leaf call made ops[before:after]
        calls = [(out, {op.name for op in ops[before:after]}) for _, out, before, after in traced]
        inside = set().union(*(made for _, made in calls)) if calls else set()
        return [_activation_after(out, inside) for out, _ in calls]

    def predict(self, key, array):
        model = self.models[key]
        outputs = []
        # as grader.inspect.evaluate.batch_size: at most 1,000 images or 2**22 input values a batch
        per_image = max(1, int(self.np.prod(array.shape[1:])))
        step = max(1, min(1000, (1 << 22) // per_image))
        if key in self.frameworks:
            return self.np.asarray(self.frameworks[key].predict(model, array, step), dtype="float32")
        for start in range(0, len(array), step):
            outputs.append(self.np.asarray(model(array[start:start + step], training=False), dtype="float32"))
        return self.np.concatenate(outputs) if outputs else self.np.zeros((0,), "float32")


def _options(argv):
    """``--keras2``, ``--seed=N``, ``--threads=N``, ``--cifar10=FOLDER`` (the grader's synthetic set) from ``argv``."""
    options = {"keras2": "--keras2" in argv, "seed": None, "threads": 1, "cifar10": None}
    for arg in argv:
        name, _, value = arg.partition("=")
        if name in ("--seed", "--threads"):
            options[name[2:]] = int(value)
        elif name == "--cifar10":
            options["cifar10"] = value
    return options


def _install_compat(options):
    """The kernel's compatibility layer (Colab stand-in, Keras 2 names, torchvision), so definitions import as they did."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_compat.py")
    if os.path.isfile(path):
        namespace = {"__name__": "grader_kernel_compat"}
        exec(compile(open(path, encoding="utf-8").read(), "<grader-compat>", "exec"), namespace)
        namespace["install_compat"](options["keras2"], cifar10=options["cifar10"], seed=options["seed"],
                                    threads=options["threads"])


def main():
    # the protocol keeps the real stdout; anything the notebook's code prints goes to stderr
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    try:
        _install_compat(_options(sys.argv[2:]))
        judge = Judge(sys.argv[1])
    except BaseException as exc:  # even SystemExit from a definition: say so, then stop
        _write_frame(channel, {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:1000]})
        return
    _write_frame(channel, {"ok": True, "failed_statements": judge.failed_statements})
    while True:
        try:
            request = _read_frame(requests)
        except EOFError:
            return
        op = request.get("op")
        if op == "quit":
            # nothing to save: skip the interpreter's teardown, which takes seconds once TensorFlow is loaded
            channel.flush()
            sys.stderr.flush()
            os._exit(0)
        payload = b""
        if op == "predict":
            payload = _read_exact(requests, int(request["nbytes"]))
        try:
            if op == "load" and request.get("framework", "keras") != "keras":
                _write_frame(channel, judge.load_other(request["key"], request["dir"], str(request["framework"])))
            elif op == "load":
                _write_frame(channel, judge.load(request["key"], request["dir"]))
            elif op == "unit":
                _write_frame(channel, judge.unit(str(request.get("framework")), request.get("unit"),
                                                 request.get("params") or {}))
            elif op == "predict":
                array = judge.np.frombuffer(payload, dtype=request["dtype"]).reshape(request["shape"])
                scores = judge.predict(request["key"], array)
                _write_frame(channel, {"ok": True, "shape": list(scores.shape), "dtype": "float32",
                                       "nbytes": scores.nbytes}, scores.tobytes())
            else:
                _write_frame(channel, {"ok": False, "error": f"unknown op {op!r}"})
        except BaseException as exc:  # the student's code failed or exited: that model only
            _write_frame(channel, {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:1000]})


if __name__ == "__main__":
    main()
