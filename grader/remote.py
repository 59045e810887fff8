"""Grading on Dask workers that share no file system with the machine running ``grader run``.

What a worker receives: the notebook's bytes and the assignment as data (its parsed spec
and the handout's bytes). Never the reference notebook (executed on the main machine),
never a path to the submissions, never the store: the worker executes and inspects, sends
the facts back, and the main machine stores them. Workers need the grader and
Fashion-MNIST only (at the main machine's path, ``GRADER_DATA_DIR`` or Debian's).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.datasets import dataset_dir_for, find_fashion_mnist
from grader.errors import DatasetMissingError
from grader.execute.sandbox import Sandbox, resolve_sandbox
from grader.execute.warm import worker_reserve
from grader.grade import GradingContext, collect_facts
from grader.spec import Assignment


@dataclass(frozen=True)
class ShippedAssignment:
    """The assignment as a worker gets it: the parsed spec and the handout notebook's bytes."""

    assignment: Assignment
    handout: bytes
    dataset_dir: str
    isolation: str

    @classmethod
    def of(cls, context: GradingContext) -> "ShippedAssignment":
        return cls(context.assignment, context.assignment.notebook_path.read_bytes(), str(context.dataset_dir),
                   context.sandbox.requested)


def _dataset(shipped: ShippedAssignment) -> Path:
    try:
        return find_fashion_mnist(shipped.dataset_dir)
    except DatasetMissingError:  # another machine: its own copy (none needed by some assignments)
        return dataset_dir_for(shipped.assignment, os.environ.get("GRADER_DATA_DIR"))


def collect_remote(name: str, notebook: bytes, shipped: ShippedAssignment) -> tuple[dict, bool]:
    """On a worker: ``(facts as JSON, False)`` for one notebook given as bytes (never from a store)."""
    folder = Path(tempfile.mkdtemp(prefix="grader-remote-"))
    try:
        handout = folder / "handout.ipynb"
        handout.write_bytes(shipped.handout)
        submission = folder / f"{Path(name).stem or 'submission'}.ipynb"
        submission.write_bytes(notebook)
        assignment = dataclasses.replace(shipped.assignment, root=str(folder), notebook=handout.name)
        sandbox: Sandbox = resolve_sandbox(shipped.isolation)
        context = GradingContext(assignment, _dataset(shipped), None, sandbox)
        # a worker executes one notebook after another: the next one's kernel starts while this one runs
        facts, _ = collect_facts(submission, context, use_cache=False, reserve=worker_reserve())
        return facts.to_json(), False
    finally:
        shutil.rmtree(folder, ignore_errors=True)
