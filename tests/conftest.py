"""Shared fixtures: the dataset location and a tiny assignment for kernel tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "contracts" / "results.schema.json"


@pytest.fixture(scope="session")
def dataset_dir() -> Path:
    """Fashion-MNIST from Debian's package (or GRADER_DATA_DIR); kernel tests need it."""
    from grader.datasets import find_fashion_mnist
    from grader.errors import DatasetMissingError

    try:
        return find_fashion_mnist(os.environ.get("GRADER_DATA_DIR"))
    except DatasetMissingError as exc:
        pytest.fail(f"{exc} (run `make install`)")


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory, dataset_dir):
    """``graded_examples("cnn-pratica")``: that assignment's examples and reference, graded once.

    Each assignment is executed at most once per test session (one out folder, one store);
    every test that needs its facts (e2e, reports, exports, kit, similarity) reads this run.
    Tests that write into the out folder copy it first.
    """
    from tests.e2e.examples import grade_examples

    runs = {}

    def get(assignment: str, folder: str = "examples"):
        """``folder``: another folder of examples of the assignment (``examples-pytorch``)."""
        if (assignment, folder) not in runs:
            name = assignment if folder == "examples" else f"{assignment}-{folder}"
            runs[assignment, folder] = grade_examples(assignment, tmp_path_factory.mktemp(name),
                                                      dataset_dir, folder)
        return runs[assignment, folder]

    return get
