"""PyTorch layers, as the judge described them, in the framework-neutral vocabulary (pure).

PyTorch is channels first, the vocabulary channels last: an output ``(N, C, H, W)`` is
``(None, H, W, C)``, as Keras gives it, so the two compare. A convolution padded by
``(k - 1) / 2`` at stride 1 is ``same`` and an unpadded one ``valid``, as Keras names them.
"""

from __future__ import annotations

import re
from typing import Any

from grader.facts import LayerFacts, native_layer

_DIMS = re.compile(r"(\d)d")


def channels_last(shape: Any) -> tuple | None:
    """A PyTorch shape (batch first) in the vocabulary's form: batch None, channels last."""
    if not isinstance(shape, (list, tuple)) or not shape:
        return None
    try:
        rest = [int(d) if d is not None else None for d in shape[1:]]
    except (TypeError, ValueError):
        return None
    if len(rest) >= 2:
        rest = rest[1:] + rest[:1]
    return (None, *rest)


def _dims(op: str) -> int:
    found = _DIMS.search(op)
    return int(found.group(1)) if found else 1


def _sizes(value: Any, dims: int) -> tuple[int, ...] | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,) * dims
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return None


def _padding(value: Any, kind: str, kernel: tuple | None, stride: tuple | None, dims: int) -> str | None:
    if isinstance(value, str):
        return value if value in ("same", "valid") else value[:20]
    amounts = _sizes(value, dims)
    if amounts is None:
        return None if kind not in ("conv", "pool") else "valid"
    if not any(amounts):
        return "valid"
    if (kind == "conv" and kernel is not None and len(kernel) == len(amounts) and all(s == 1 for s in stride or (1,))
            and all(k % 2 == 1 and p == (k - 1) // 2 for k, p in zip(kernel, amounts))):
        return "same"
    return "×".join(str(a) for a in amounts)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def torch_layer(described: dict) -> LayerFacts:
    """One layer the judge described (``class``, ``width``, ``kernel``, ``stride``, ``padding``, ...)."""
    class_name = str(described.get("class", ""))[:100]
    kind, op = native_layer("torch", class_name)
    dims = _dims(op)
    kernel = _sizes(described.get("kernel"), dims) if kind in ("conv", "pool") else None
    stride = _sizes(described.get("stride"), dims) if kind in ("conv", "pool") else None
    rate = described.get("rate") if kind == "dropout" else None
    activation = described.get("activation") if kind == "activation" else None
    return LayerFacts(
        name=str(described.get("name", ""))[:200],
        class_name=class_name,
        params=_int(described.get("params")) or 0,
        trainable_params=_int(described.get("trainable")) or 0,
        output_shape=channels_last(described.get("output_shape")),
        kind=kind,
        op=op if op != class_name else "",
        width=_int(described.get("width")) if kind in ("dense", "conv") else None,
        kernel=kernel,
        stride=stride,
        padding=_padding(described.get("padding"), kind, kernel, stride, dims) if kind in ("conv", "pool") else None,
        activation=str(activation)[:40] if activation else None,
        rate=float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
        buffers=_int(described.get("buffers")) or 0,
    )
