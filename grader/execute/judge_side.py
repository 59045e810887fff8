"""The judge process: load models that need the student's own classes, and describe them.

Started by :mod:`grader.inspect.judge` after the student's kernel is gone, in the same
sandbox (no network, no dataset, only its own folder), by path: it must not import the
grader. It executes only the notebook's definitions (imports, classes, functions and
literal constants, extracted by the grader) and then answers requests on its stdin:

* ``{"op": "load", "key": K, "dir": D, "framework": F}``: rebuild the model exported in
  ``D`` with the notebook's classes and answer its description. This module knows no
  framework: the module ``judge_<F>.py`` next to it (an inspector's judge code, copied by
  the grader) answers, its ``load(directory, definitions, side)`` (``side``: this module's
  namespace, e.g. :func:`from_plain`) and ``predict(model, array, step)``;
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


def from_plain(value):
    """A constructor argument as the kernel's harness exported it (tagged tuples and dicts)."""
    if isinstance(value, list):
        return [from_plain(v) for v in value]
    if isinstance(value, dict):
        if list(value) == ["__tuple__"]:
            return tuple(from_plain(v) for v in value["__tuple__"])
        if list(value) == ["__dict__"]:
            return {from_plain(k): from_plain(v) for k, v in value["__dict__"]}
        return {str(k): from_plain(v) for k, v in value.items()}
    return value


class Judge:
    def __init__(self, definitions_path):
        import numpy as np

        self.np = np
        self.models = {}
        self.frameworks = {}  # key -> the judge module of its framework
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

    def load(self, key, directory, framework):
        """A model, by its inspector's judge module ``judge_<framework>.py``: its description."""
        import importlib

        if not framework.isidentifier():
            raise ValueError(f"unknown framework {framework!r}")
        module = importlib.import_module(f"judge_{framework}")
        model, answer = module.load(directory, self.definitions, globals())
        self.models[key], self.frameworks[key] = model, module
        return answer

    def unit(self, framework, unit, params):
        """A grader unit on the notebook's definitions (``judge_<framework>_units.py``): its measurements."""
        import importlib

        if not framework.isidentifier():
            raise ValueError(f"unknown framework {framework!r}")
        return importlib.import_module(f"judge_{framework}_units").run(unit, params, self.definitions)

    def predict(self, key, array):
        # as grader.inspect.evaluate.batch_size: at most 1,000 images or 2**22 input values a batch
        per_image = max(1, int(self.np.prod(array.shape[1:])))
        step = max(1, min(1000, (1 << 22) // per_image))
        return self.np.asarray(self.frameworks[key].predict(self.models[key], array, step), dtype="float32")


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
            if op == "load":
                _write_frame(channel, judge.load(request["key"], request["dir"], str(request.get("framework"))))
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
