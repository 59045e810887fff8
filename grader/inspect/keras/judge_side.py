"""The Keras part of the judge process: rebuild a model with the notebook's classes and describe it.

Copied next to ``judge_side.py`` into the judge's folder (as ``judge_keras.py``) and
imported by it for a ``load`` request of a Keras model; like it, it must not import the
grader. The model is rebuilt from ``model.json`` (Keras's serialization, or the class and
the constructor's arguments the kernel's harvest saw) with the notebook's definitions and
its weights loaded from ``model.weights.h5``. Its structure is read from one forward pass
on a grader-made input: its leaf layers in the order its ``call()`` uses them (a layer used
twice appears twice), with the activations ``call()`` applies between them. The grader
recounts the parameters from the weight file itself.
"""

import json
import os

# TensorFlow ops a call() may apply between two layers (tf.nn.relu(self.conv1(x)),
# keras.activations.tanh, keras.ops.softmax ...): the Keras activation each one is
ACTIVATION_OPS = {"Relu": "relu", "Relu6": "relu6", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softmax": "softmax",
                  "LogSoftmax": "log_softmax", "Elu": "elu", "Selu": "selu", "LeakyRelu": "leaky_relu",
                  "Softplus": "softplus", "Softsign": "softsign"}


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


def _custom_objects(definitions):
    return {k: v for k, v in definitions.items() if isinstance(v, type) or callable(v)}


def _build(np, model, config):
    """Call the model once: a subclass "built" from its build config has no weights until then."""
    build = (config or {}).get("build_config") or {}
    shape = build.get("input_shape")
    if shape and not isinstance(shape[0], (list, tuple)):
        probe = np.zeros([1] + [28 if d is None else int(d) for d in shape[1:]], "float32")
        model(probe)
    return shape


def load(directory, definitions, side):
    """``(model, answer)``: the model in ``directory`` rebuilt with the notebook's classes, described.

    ``side``: the judge protocol's namespace (its ``from_plain`` reads the constructor's arguments).
    """
    import keras  # only for Keras models: a judge of PyTorch modules never imports TensorFlow
    import numpy as np

    from_plain = side["from_plain"]
    with open(os.path.join(directory, "model.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    custom = _custom_objects(definitions)
    cls = custom.get(config.get("class_name"))
    init = config.get("grader_init")  # the arguments the kernel saw the class called with, plain values
    if isinstance(cls, type) and isinstance(init, dict) and "args" in init:
        model = cls(*from_plain(init["args"]), **from_plain(init.get("kwargs") or {}))
    else:
        try:
            model = keras.saving.deserialize_keras_object(config, custom_objects=custom, safe_mode=False)
        except Exception as first:  # a class whose __init__ arguments Keras did not capture
            if not isinstance(cls, type):
                raise first
            model = cls()
    if not isinstance(model, keras.Model):
        raise TypeError("the exported object is not a Keras model")
    shape = _build(np, model, config)
    weights = os.path.join(directory, "model.weights.h5")
    if os.path.isfile(weights):
        model.load_weights(weights)
    input_shape = None
    if shape and not isinstance(shape[0], (list, tuple)):
        input_shape = [None] + [None if d is None else int(d) for d in shape[1:]]
    elif getattr(model, "inputs", None) and len(model.inputs) == 1:
        input_shape = _shape(model.inputs[0].shape)
    layers, output = _trace(keras, np, model, input_shape)
    return model, {
        "ok": True,
        "class": type(model).__name__,
        "weights": [int(np.prod(v.shape)) for v in model.weights],
        "trainable": [int(np.prod(v.shape)) for v in model.trainable_weights],
        "layers": layers,
        "input_shape": input_shape,
        "output_shape": output,
    }


def _trace(keras, np, model, input_shape):
    """The leaf layers in the order one forward pass calls them, with their output shapes."""
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
    in_call = _activations_in_call(keras, model, probe)
    if in_call is not None and len(in_call) >= len(layers):
        for layer, activation in zip(layers, in_call):
            config = layer["config"]
            if activation and "activation" in config and config["activation"] in (None, "linear"):
                config["activation"] = activation
                layer["activation_in_call"] = True
    shape = _shape(getattr(output, "shape", None))
    return layers, ([None] + shape[1:] if shape else None)


def _activations_in_call(keras, model, probe):
    """Per leaf layer call, in call order: the activation ``call()`` applies to the layer's output itself.

    ``x = tf.nn.relu(self.conv1(x))`` makes conv1 a ReLU convolution, as
    ``Conv2D(..., activation="relu")`` would. Read from the TensorFlow graph of one
    forward pass: an activation op that takes the layer's output and belongs to no layer.
    ``None`` when this cannot be told (another backend, a call() that does not trace).
    """
    try:
        import tensorflow as tf

        if keras.backend.backend() != "tensorflow":
            return None
    except Exception:  # noqa: BLE001 - no TensorFlow: layers keep their own activations
        return None

    def operations():
        return tf.compat.v1.get_default_graph().get_operations()

    def forward():
        return tf.function(lambda x: model(x, training=False)).get_concrete_function(
            tf.TensorSpec(probe.shape, tf.float32))

    try:
        concrete, traced = _leaf_calls(keras, forward, lambda: len(operations()))
    except Exception:  # noqa: BLE001 - a call() that only runs eagerly: no graph to read
        return None
    ops = concrete.graph.get_operations()  # in creation order: each leaf call made ops[before:after]
    calls = [(out, {op.name for op in ops[before:after]}) for _, out, before, after in traced]
    inside = set().union(*(made for _, made in calls)) if calls else set()
    return [_activation_after(out, inside) for out, _ in calls]


def predict(model, array, step):
    """The model's outputs for ``array`` (batches of ``step``), as float32 NumPy."""
    import numpy as np

    outputs = []
    for start in range(0, len(array), step):
        outputs.append(np.asarray(model(array[start:start + step], training=False), dtype="float32"))
    return np.concatenate(outputs) if outputs else np.zeros((0,), "float32")
