"""Plain hints for cell errors a student cannot fix by reading the traceback.

Real hand-ins fail on the grading environment rather than on their own logic: a package
that is not installed, a Keras 2 name, a dataset download with no network, a Google
Colab path. :func:`hint_for` maps such an error to a catalogue key and its parameters;
the mapping is data (the tables below), looked up in order, first match wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from grader.messages import Catalogue

MAX_TEXT = 20_000  # tracebacks can be huge; the clues are near the top and the bottom


@dataclass(frozen=True)
class Hint:
    """A catalogue key and its parameters, rendered in the reader's language."""

    key: str
    params: Mapping[str, str] = field(default_factory=dict)

    def render(self, catalogue: Catalogue) -> str:
        return catalogue.render(self.key, dict(self.params))


# ``No module named 'X'``: the longest matching prefix of X picks the suggestion
MODULE_SUGGESTIONS: tuple[tuple[str, str], ...] = (
    ("torch", "hint.module.torch"),
    ("torchvision", "hint.module.torch"),
    ("cv2", "hint.module.cv2"),
    ("tensorflow_datasets", "hint.module.tensorflow_datasets"),
    ("keras.utils.np_utils", "hint.module.np_utils"),
    ("tensorflow.keras.utils.np_utils", "hint.module.np_utils"),
    *((f"{root}.layers.{old}", "hint.module.keras_layers")
      for root in ("keras", "tensorflow.keras")
      for old in ("convolutional", "pooling", "core", "normalization", "recurrent", "merge", "advanced_activations")),
    ("keras.wrappers", "hint.module.scikit_wrappers"),
    ("tensorflow.keras.wrappers", "hint.module.scikit_wrappers"),
    ("scikeras", "hint.module.scikit_wrappers"),
    ("google.colab", "hint.module.google_colab"),
    ("google", "hint.module.google_colab"),
)
GENERIC_MODULE = "hint.module.other"
_MODULE = re.compile(r"No module named '(?P<module>[\w.]+)'")


@dataclass(frozen=True)
class Rule:
    """``ename`` in ``enames`` (any when empty) and ``pattern`` found in the error value."""

    enames: tuple[str, ...]
    pattern: re.Pattern[str]
    key: str
    params: Mapping[str, str] = field(default_factory=dict)


def _rule(enames: tuple[str, ...], pattern: str, key: str, **params: str) -> Rule:
    return Rule(enames, re.compile(pattern), key, params)


_PATH_ERRORS = ("FileNotFoundError", "OSError", "IOError", "NotFoundError", "IsADirectoryError", "PermissionError")
ERROR_RULES: tuple[Rule, ...] = (
    # ``from keras.utils import np_utils``: keras.utils exists, so Python says "cannot import name"
    _rule(("ImportError",), r"cannot import name '(?P<module>np_utils)'", "hint.module.np_utils"),
    _rule(("ImportError",), r"cannot import name '(?P<name>ImageDataGenerator)' from '(?P<module>[\w.]+)'",
          "hint.image_data_generator"),
    _rule(("ValueError", "TypeError"), r"not recognized.*'lr'|unexpected keyword argument 'lr'", "hint.lr"),
    _rule(("AttributeError",), r"has no attribute '(?P<method>fit_generator)'", "hint.removed_method",
          modern="model.fit(...)"),
    _rule(("AttributeError",), r"has no attribute '(?P<method>evaluate_generator)'", "hint.removed_method",
          modern="model.evaluate(...)"),
    _rule(("AttributeError",), r"has no attribute '(?P<method>predict_generator)'", "hint.removed_method",
          modern="model.predict(...)"),
    _rule(("AttributeError",), r"has no attribute '(?P<method>predict_classes)'", "hint.removed_method",
          modern="np.argmax(model.predict(x), axis=-1)"),
    _rule(_PATH_ERRORS, r"(?P<path>/content(?:/[^'\"\s:]*)?)", "hint.colab_path"),
)

# a download that needs the network, and which dataset it was (first match names it)
_NETWORK = re.compile(
    r"URL fetch failure|storage\.googleapis\.com|Temporary failure in name resolution|Name or service not known"
    r"|Network is unreachable|urlopen error|tensorflow_datasets|tfds\.load",
    re.IGNORECASE,
)
# Fashion-MNIST is seeded into the kernel's cache: failing to fetch it is the grader's fault
DATASETS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"fashion[-_]?mnist", re.I), "Fashion-MNIST", "hint.dataset_fashion_missing"),
    (re.compile(r"mnist\.npz|datasets\.mnist|\bmnist\b", re.I), "MNIST", "hint.dataset_download"),
    (re.compile(r"cifar-?100", re.I), "CIFAR-100", "hint.dataset_download"),
    (re.compile(r"cifar-?10", re.I), "CIFAR-10", "hint.dataset_download"),
    (re.compile(r"imdb", re.I), "IMDB", "hint.dataset_download"),
    (re.compile(r"tensorflow_datasets|tfds", re.I), "tensorflow_datasets", "hint.dataset_download"),
)


def _module_hint(ename: str, evalue: str) -> Hint | None:
    found = _MODULE.search(evalue) if ename in ("ModuleNotFoundError", "ImportError") else None
    if found is None:
        return None
    module = found.group("module")
    matches = [(prefix, key) for prefix, key in MODULE_SUGGESTIONS
               if module == prefix or module.startswith(prefix + ".")]
    key = max(matches, key=lambda m: len(m[0]))[1] if matches else GENERIC_MODULE
    return Hint(key, {"module": module})


def _rule_hint(ename: str, evalue: str) -> Hint | None:
    for rule in ERROR_RULES:
        if rule.enames and ename not in rule.enames:
            continue
        found = rule.pattern.search(evalue)
        if found:
            groups = {k: v for k, v in found.groupdict().items() if v is not None}
            return Hint(rule.key, {**rule.params, **groups})
    return None


def _dataset_hint(evalue: str, traceback: str) -> Hint | None:
    text = f"{evalue}\n{traceback}"
    if not _NETWORK.search(text):
        return None
    # the error value names the file being fetched; the traceback, the call that fetched it
    for source in (evalue, traceback):
        for pattern, name, key in DATASETS:
            if pattern.search(source):
                return Hint(key, {"dataset": name})
    return Hint("hint.dataset_download_unknown")


def hint_for(ename: str, evalue: str, traceback: str = "") -> Hint | None:
    """A hint for an error the grading environment causes, or None for an ordinary bug."""
    ename, evalue = (ename or "").strip(), (evalue or "")[:MAX_TEXT]
    traceback = traceback or ""
    if len(traceback) > MAX_TEXT:
        traceback = traceback[: MAX_TEXT // 2] + traceback[-MAX_TEXT // 2:]
    return _module_hint(ename, evalue) or _rule_hint(ename, evalue) or _dataset_hint(evalue, traceback)
