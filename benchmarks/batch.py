"""Benchmark: a batch of LeNet-5 notebooks, the grader against bare nbclient, side by side in one run.

Measured on the same machine, one after the other (wall clock):
  * bare       — each notebook executed by nbclient alone, one after another, one
                 TensorFlow/BLAS thread each (the grader's default per kernel); the floor is
                 Σ bare ÷ cores (that many one-thread kernels side by side);
  * bare, side by side — the same notebooks by bare nbclient, ``cores`` at once (one
                 process each): what this machine really gives side-by-side kernels, so the
                 grader's own share of the gap to the floor can be told from the machine's;
  * grader     — ``grader run`` on the batch with the default --jobs, nothing cached;
  * re-check   — ``grader run`` again on the same store (a rubric change needs no kernel);
  * check      — ``grader check`` on one notebook (its reference cached) vs bare nbclient on it.
Prints the ratios; there are no timed assertions anywhere.

    .venv/bin/python benchmarks/batch.py [--notebooks N] [--epochs E]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
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
from grader.schedule import default_jobs, machine_cores  # noqa: E402

GRADER = Path(sys.executable).with_name("grader")
SOURCE = ROOT / "tests" / "real" / "notebooks" / "r04-model-add.ipynb"


def lenet_notebooks(folder: Path, count: int, epochs: int, tag: str = "aluno") -> list[Path]:
    """``count`` distinct LeNet-5 notebooks (a student's model.add chain), trained on the full set."""
    folder.mkdir(parents=True)
    paths = []
    for n in range(count):
        nb = nbformat.read(str(SOURCE), as_version=4)
        for cell in nb.cells:
            if "model.fit(" in cell.source:
                cell.source = ("model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                               "metrics=['accuracy'])\n"
                               f"history = model.fit(x_train, y_train, epochs={epochs}, batch_size=64, verbose=2)"
                               f"  # {tag} {n}")
        path = folder / f"{tag}{n}.ipynb"
        nbformat.write(nb, str(path))
        paths.append(path)
    return paths


def bare(path: Path, dataset: Path, settings) -> float:
    area = prepare_area(Path(tempfile.mkdtemp(prefix="bench-")), dataset)
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=1800,
                            resources={"metadata": {"path": str(area.cwd)}})
    started = time.perf_counter()
    with client.setup_kernel(env={**os.environ, **kernel_environment(area, settings)}):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    seconds = time.perf_counter() - started
    shutil.rmtree(area.root, ignore_errors=True)
    return seconds


def timed(argv: list[str]) -> float:
    """Wall clock of one command; ``grader check`` exits 1 when a visible check fails, which is fine here."""
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv[1]} failed with exit status {done.returncode}")
    return time.perf_counter() - started


def bare_side_by_side(paths: list[Path], dataset: Path, settings, workers: int) -> float:
    """Wall clock of bare nbclient on ``paths``, ``workers`` notebooks at once (one process each)."""
    from concurrent.futures import ProcessPoolExecutor

    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(bare, paths, [dataset] * len(paths), [settings] * len(paths)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    spec, _ = load("cnn-pratica")
    dataset = find_fashion_mnist(os.environ.get("GRADER_DATA_DIR"))
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    paths = lenet_notebooks(work / "subs", args.notebooks, args.epochs)
    cores, jobs = machine_cores(), default_jobs(spec.execution)

    bare_times = [bare(p, dataset, spec.execution) for p in paths]
    floor = sum(bare_times) / cores
    side_by_side = bare_side_by_side(paths, dataset, spec.execution, jobs)
    store = work / "store.sqlite"
    run = [str(GRADER), "run", str(work / "subs"), "--assignment", "cnn-pratica", "--store", str(store)]
    # the reference is part of every run: executed (and stored) first, so both sides time students only
    timed([str(GRADER), "check", str(ROOT / "reference" / "cnn-pratica.ipynb"), "--assignment", "cnn-pratica",
           "--store", str(store), "--out", str(work / "warm")])
    first = timed(run + ["--out", str(work / "out1")])
    again = timed(run + ["--out", str(work / "out2")])
    one = work / "one"
    one.mkdir()
    single = lenet_notebooks(one / "nb", 1, args.epochs, tag="sozinho")[0]  # not in the store yet
    check = timed([str(GRADER), "check", str(single), "--assignment", "cnn-pratica", "--store", str(store),
                   "--out", str(work / "check")])
    single_bare = bare(single, dataset, spec.execution)
    scores = {s["id"]: s["score"] for s in json.loads((work / "out1" / "results.json").read_text())["submissions"]}

    print(f"machine: {cores} cores; default --jobs {jobs}; {args.notebooks} LeNet-5 notebooks, {args.epochs} epochs")
    print(f"bare nbclient, one thread, one after another: {' + '.join(f'{t:.1f}' for t in bare_times)} "
          f"= {sum(bare_times):.1f} s; floor (÷ {cores} cores) {floor:.1f} s")
    print(f"bare nbclient, {jobs} at once (side by side):     {side_by_side:.1f} s  -> {side_by_side / floor:.2f}× the "
          f"floor (what the machine itself costs)")
    print(f"grader run (default jobs, nothing cached):    {first:.1f} s  -> {first / floor:.2f}× the floor "
          f"(goal ≤ 1.10), {first / sum(bare_times):.2f}× the serial bare loop, "
          f"{first / side_by_side:.2f}× bare side by side")
    print(f"re-check from the store (no kernel):          {again:.2f} s  -> {first / again:.0f}× faster than the "
          f"first run (goal ≥ 100×)")
    print(f"grader check on one notebook: {check:.1f} s vs bare {single_bare:.1f} s -> +{check - single_bare:.1f} s "
          f"(goal ≤ +3 s)")
    print(f"scores: {scores}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
