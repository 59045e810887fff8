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

    .venv/bin/python benchmarks/batch.py [--notebooks N] [--epochs E] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
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


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of (bare one after another, bare side by side, grader run, grader check); "
                             "medians are reported")
    args = parser.parse_args()
    spec, _ = load("cnn-pratica")
    dataset = find_fashion_mnist(os.environ.get("GRADER_DATA_DIR"))
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    paths = lenet_notebooks(work / "subs", args.notebooks, args.epochs)
    cores, jobs = machine_cores(), default_jobs(spec.execution)
    # the reference is part of every run: executed (and stored) once, so that every round times students only
    warm_store = work / "reference.sqlite"
    timed([str(GRADER), "check", str(ROOT / "reference" / "cnn-pratica.ipynb"), "--assignment", "cnn-pratica",
           "--store", str(warm_store), "--out", str(work / "warm")])
    rounds = []
    for number in range(args.repeat):
        serial = [bare(p, dataset, spec.execution) for p in paths]
        floor = sum(serial) / cores
        side = bare_side_by_side(paths, dataset, spec.execution, jobs)
        store = work / f"store{number}.sqlite"
        shutil.copyfile(warm_store, store)
        run = [str(GRADER), "run", str(work / "subs"), "--assignment", "cnn-pratica", "--store", str(store)]
        first = timed(run + ["--out", str(work / f"out{number}")])
        again = timed(run + ["--out", str(work / f"again{number}")])
        single = lenet_notebooks(work / f"one{number}", 1, args.epochs, tag=f"sozinho{number}-")[0]  # not stored
        check = timed([str(GRADER), "check", str(single), "--assignment", "cnn-pratica", "--store", str(store),
                       "--out", str(work / f"check{number}")])
        single_bare = bare(single, dataset, spec.execution)
        rounds.append({"serial": sum(serial), "floor": floor, "side": side, "first": first, "again": again,
                       "check": check, "single_bare": single_bare})
        print(f"round {number + 1}: bare one after another {' + '.join(f'{t:.1f}' for t in serial)} = "
              f"{sum(serial):.1f} s (floor {floor:.1f} s); bare {jobs} at once {side:.1f} s ({side / floor:.2f}×); "
              f"grader run {first:.1f} s ({first / floor:.2f}× the floor, {first / side:.2f}× bare side by side); "
              f"re-check {again:.2f} s ({first / again:.0f}×); grader check {check:.1f} s vs bare "
              f"{single_bare:.1f} s (+{check - single_bare:.1f} s)", flush=True)
    scores = {s["id"]: s["score"] for s in json.loads((work / "out0" / "results.json").read_text())["submissions"]}

    def ratio(top: str, bottom: str) -> float:
        return median([r[top] / r[bottom] for r in rounds])

    print(f"machine: {cores} cores; default --jobs {jobs}; {args.notebooks} LeNet-5 notebooks, {args.epochs} epochs; "
          f"medians of {len(rounds)} round(s), each ratio taken within its round")
    print(f"bare nbclient, one thread, one after another: {median([r['serial'] for r in rounds]):.1f} s; "
          f"floor (÷ {cores} cores) {median([r['floor'] for r in rounds]):.1f} s")
    print(f"bare nbclient, {jobs} at once (side by side):     {median([r['side'] for r in rounds]):.1f} s  -> "
          f"{ratio('side', 'floor'):.2f}× the floor (what the machine itself costs)")
    print(f"grader run (default jobs, nothing cached):    {median([r['first'] for r in rounds]):.1f} s  -> "
          f"{ratio('first', 'floor'):.2f}× the floor (goal ≤ 1.10), {ratio('first', 'serial'):.2f}× the serial "
          f"bare loop, {ratio('first', 'side'):.2f}× bare side by side")
    print(f"re-check from the store (no kernel):          {median([r['again'] for r in rounds]):.2f} s  -> "
          f"{ratio('first', 'again'):.0f}× faster than the first run (goal ≥ 100×)")
    print(f"grader check on one notebook: {median([r['check'] for r in rounds]):.1f} s vs bare "
          f"{median([r['single_bare'] for r in rounds]):.1f} s -> "
          f"+{median([r['check'] - r['single_bare'] for r in rounds]):.1f} s (goal ≤ +3 s)")
    print(f"scores: {scores}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
