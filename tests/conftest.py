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
