"""Benchmark: the grader's cost relative to bare nbclient execution, in one process.

Measured (wall clock, same machine, same notebook, one after the other):
  * baseline   — nbclient executing the notebook in a fresh kernel, nothing else;
  * grader     — collect_facts without the store: kernel, prelude, harvests, inspection;
  * re-grade   — the same notebook again with facts from the store + scoring.
Prints ratios against the baseline; there are no timed assertions anywhere.

    .venv/bin/python benchmarks/run.py [NOTEBOOK] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.assignments import load  # noqa: E402
from grader.datasets import find_fashion_mnist  # noqa: E402
from grader.execute.environment import kernel_environment, prepare_area  # noqa: E402
from grader.grade import GradingContext, collect_facts  # noqa: E402
from grader.messages import load_catalogue  # noqa: E402
from grader.scoring import score_submission  # noqa: E402

DEFAULT = ROOT / "assignments" / "cnn-pratica" / "examples" / "05-respostas-erradas.ipynb"


def bare_nbclient(path: Path, context: GradingContext) -> float:
    """Execute the notebook with nbclient alone, in the same kind of kernel and environment."""
    area = prepare_area(Path(tempfile.mkdtemp(prefix="bench-")), context.dataset_dir)
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=600,
                            resources={"metadata": {"path": str(area.cwd)}})
    started = time.perf_counter()
    with client.setup_kernel(env=kernel_environment(area, context.assignment.execution)):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    return time.perf_counter() - started


def grader_collect(path: Path, context: GradingContext) -> float:
    started = time.perf_counter()
    collect_facts(path, context, use_cache=False)
    return time.perf_counter() - started


def regrade(path: Path, context: GradingContext, registry, reference) -> float:
    started = time.perf_counter()
    facts, cached = collect_facts(path, context, use_cache=True)
    assert cached, "the store should hold these facts"
    score_submission(submission_id="bench", path=path.name, assignment=context.assignment, facts=facts,
                     reference=reference, registry=registry, catalogue=load_catalogue("pt"), cached=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    assignment, registry = load("cnn-pratica")
    store = Path(tempfile.mkdtemp(prefix="bench-store-")) / "store.sqlite"
    context = GradingContext(assignment, find_fashion_mnist(), store)
    reference, _ = collect_facts(assignment.reference_path, context)
    collect_facts(args.notebook, context)  # fill the store for the re-grade measurement
    base = [bare_nbclient(args.notebook, context) for _ in range(args.repeat)]
    full = [grader_collect(args.notebook, context) for _ in range(args.repeat)]
    again = [regrade(args.notebook, context, registry, reference) for _ in range(args.repeat)]
    b, g, r = statistics.median(base), statistics.median(full), statistics.median(again)
    print(f"notebook: {args.notebook.name}  (median of {args.repeat})")
    print(f"  bare nbclient execution : {b:8.2f} s   (baseline 1.00)")
    print(f"  grader, executing       : {g:8.2f} s   ratio {g / b:5.2f}")
    print(f"  grader, re-grade cached : {r * 1000:8.1f} ms  ratio {r / b:7.4f}")


if __name__ == "__main__":
    main()
