"""What the grader reads itself of a PyTorch module: the safetensors header, and the judge's word
checked against it (pure: the files are written byte by byte, no PyTorch)."""

from __future__ import annotations

import json
import struct

import pytest

from grader.inspect.torch import _counts
from grader.inspect.torch.tensors import tensor_sizes


def safetensors(path, tensors: dict[str, list[int]], extra: bytes = b"", header: dict | None = None):
    """A float32 safetensors file holding zeros of the given shapes."""
    table, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in tensors.items():
        size = 4
        for d in shape:
            size *= d
        table[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header if header is not None else table).encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + b"\0" * offset + extra)
    return path


def test_sizes_come_from_the_header(tmp_path):
    path = safetensors(tmp_path / "m.safetensors", {"conv.weight": [6, 1, 5, 5], "conv.bias": [6],
                                                    "bn.num_batches_tracked": []})
    assert tensor_sizes(path) == {"conv.weight": 150, "conv.bias": 6, "bn.num_batches_tracked": 1}


@pytest.mark.parametrize("problem", ["trailing", "header", "short"])
def test_a_file_that_is_not_safetensors_is_refused(tmp_path, problem):
    path = tmp_path / "m.safetensors"
    if problem == "trailing":  # bytes the header does not account for
        safetensors(path, {"w": [2]}, extra=b"\0" * 8)
    elif problem == "header":  # a tensor whose byte range does not fit its shape
        safetensors(path, {}, header={"w": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4]}})
    else:
        path.write_bytes(b"\x80\x04K\x01.")  # a pickle
    with pytest.raises(ValueError):
        tensor_sizes(path)


def test_parameters_and_buffers_are_counted_from_the_file():
    sizes = {"conv.weight": 150, "conv.bias": 6, "bn.weight": 6, "bn.bias": 6, "bn.running_mean": 6,
             "bn.running_var": 6, "bn.num_batches_tracked": 1}
    answer = {"parameters": [["conv.weight", 150, True], ["conv.bias", 6, True], ["bn.weight", 6, True],
                             ["bn.bias", 6, False]],
              "buffers": [["bn.running_mean", 6], ["bn.running_var", 6], ["bn.num_batches_tracked", 1]]}
    assert _counts(answer, sizes) == (168, 162, 13)


@pytest.mark.parametrize("answer", [
    {"parameters": [["conv.weight", 15, True]], "buffers": []},  # a count the file does not hold
    {"parameters": [["conv.weight", 150, True]], "buffers": []},  # a tensor of the file left unnamed
    {"parameters": [["invented", 150, True], ["conv.bias", 6, True]], "buffers": []},
])
def test_a_judge_that_misdescribes_the_file_is_caught(answer):
    with pytest.raises(ValueError):
        _counts(answer, {"conv.weight": 150, "conv.bias": 6})
