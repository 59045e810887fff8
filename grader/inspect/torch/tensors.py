"""The sizes of the tensors in a safetensors file, read by the grader itself (no PyTorch needed).

A safetensors file is an 8-byte little-endian header length, a JSON header naming each
tensor's dtype, shape and byte range, then the raw bytes: reading the header runs no code.
The grader counts a module's parameters here, so the judge's word is checked, not taken.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

MAX_HEADER_BYTES = 16 * 2**20
MAX_TENSORS = 100_000
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1}


def tensor_sizes(path: Path) -> dict[str, int]:
    """``{name: number of values}`` of each tensor in the file; ValueError when it is not safetensors."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) != 8:
            raise ValueError("the tensor file is too short")
        length = int.from_bytes(head, "little")
        if length > min(MAX_HEADER_BYTES, size - 8):
            raise ValueError("the tensor file's header is too large")
        try:
            header = json.loads(handle.read(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise ValueError("the tensor file's header is not JSON") from None
    if not isinstance(header, dict) or len(header) > MAX_TENSORS:
        raise ValueError("the tensor file's header is not a table of tensors")
    sizes, end = {}, 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        shape, dtype = (info.get("shape"), info.get("dtype")) if isinstance(info, dict) else (None, None)
        offsets = info.get("data_offsets") if isinstance(info, dict) else None
        if (not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape)
                or dtype not in DTYPE_BYTES or not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) for o in offsets)):
            raise ValueError(f"the tensor file describes {name!r} wrongly")
        count = math.prod(shape)
        if offsets[1] - offsets[0] != count * DTYPE_BYTES[dtype] or offsets[0] < 0:
            raise ValueError(f"the tensor file's bytes of {name!r} do not match its shape")
        sizes[str(name)] = count
        end = max(end, offsets[1])
    if 8 + length + end != size:
        raise ValueError("the tensor file's size does not match its header")
    return sizes
