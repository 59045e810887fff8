"""Benchmark: the grader's orchestration at scale on Dask, simulated with notebooks that sleep.

``--notebooks`` notebooks (200) whose cells only sleep (no CPU: the students' training time
without its cost) go through ``grader run --scheduler`` to a cluster of ``--workers``
single-thread Dask workers (8) started here as separate processes (``dask scheduler``,
``dask worker``), with the default sandbox. The ideal is Σ sleep ÷ workers; the efficiency
is ideal ÷ the wall clock of the run. Also measured: each kernel's peak memory (its own
``ru_maxrss``, harvested as a value), the workers' and kernels' peak resident memory
(sampled), and the peak memory of the main process (the one running ``grader run``).
No timed assertion anywhere.

    .venv/bin/python benchmarks/dask_orchestration.py [--notebooks 200] [--workers 8] [--sleep 20] [--cells 4]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import grader.finish  # noqa: E402
import grader.grading  # noqa: E402
import grader.similarity.command  # noqa: E402
from grader.run import run  # noqa: E402

DASK = Path(sys.executable).with_name("dask")
SPEC = """
[assignment]
id = "dorme"
title = "Notebooks que dormem"

[execution]
cell_timeout = 600
total_timeout = 3600

[[sections]]
id = "desafio-1"
title = "Desafio 1"
heading = '(?i)desafio\\s*1'

[[checks]]
id = "executa"
section = "desafio-1"
kind = "executes"
points = 1

[[checks]]
id = "memoria"  # not a grade: carries the kernel's own peak memory back in the facts
section = "desafio-1"
kind = "value"
points = 0
variable = "peak_rss_kb"
expected = 0
"""
PEAK = "import resource\npeak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"


def notebook(cells: list[str]):
    v4 = nbformat.v4
    return v4.new_notebook(cells=[v4.new_markdown_cell("# Dorme"), v4.new_markdown_cell("## Desafio 1"),
                                  *[v4.new_code_cell(c) for c in cells]],
                           metadata={"kernelspec": {"name": "python3", "language": "python",
                                                    "display_name": "Python 3"}})


def build(root: Path, count: int, cells: int, sleep: float) -> tuple[Path, Path]:
    """The assignment (its reference sleeps not at all) and ``count`` distinct sleeping notebooks."""
    folder = root / "assignments" / "dorme"
    folder.mkdir(parents=True)
    (root / "reference").mkdir()
    (folder / "assignment.toml").write_text(SPEC, encoding="utf-8")
    nbformat.write(notebook(["# Seu código aqui"]), str(folder / "dorme.ipynb"))
    nbformat.write(notebook([PEAK]), str(root / "reference" / "dorme.ipynb"))
    subs = root / "subs"
    subs.mkdir()
    for n in range(count):
        body = [f"import time\ntime.sleep({sleep / cells!r})  # aluno {n}"] + [
            f"time.sleep({sleep / cells!r})" for _ in range(cells - 1)] + [PEAK]
        nbformat.write(notebook(body), str(subs / f"aluno{n:03d}.ipynb"))
    return root / "assignments", subs


class Sampler(threading.Thread):
    """Peak resident memory of the cluster's processes, sampled: workers and kernels separately."""

    def __init__(self, root: psutil.Process, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.root, self.every, self.stop = root, every, threading.Event()
        self.workers: dict[int, int] = {}
        self.kernels: dict[int, int] = {}

    def run(self) -> None:
        while not self.stop.wait(self.every):
            for proc in self.root.children(recursive=True):
                try:
                    rss, cmdline = proc.memory_info().rss, " ".join(proc.cmdline())
                except psutil.Error:
                    continue
                table = self.kernels if "ipykernel" in cmdline else (
                    self.workers if "multiprocessing" in cmdline or "distributed" in cmdline else None)
                if table is not None:
                    table[proc.pid] = max(table.get(proc.pid, 0), rss)


def start_cluster(folder: Path, workers: int) -> tuple[subprocess.Popen, subprocess.Popen, str]:
    scheduler_file = folder / "scheduler.json"
    log = (folder / "cluster.log").open("w")
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--scheduler-file", str(scheduler_file),
                                  "--no-dashboard", "--port", "0"], stdout=log, stderr=log)
    while not scheduler_file.exists():
        time.sleep(0.2)
    worker = subprocess.Popen([str(DASK), "worker", "--scheduler-file", str(scheduler_file), "--nworkers",
                               str(workers), "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"],
                              stdout=log, stderr=log)
    address = json.loads(scheduler_file.read_text())["address"]
    from distributed import Client, get_task_stream

    with Client(address) as client:
        client.wait_for_workers(workers, timeout=120)
    return scheduler, worker, address


def facts_of(out: Path, sub_id: str) -> dict:
    return json.loads((out / sub_id / "facts.json").read_text(encoding="utf-8"))


def peak_kb(facts: dict) -> int | None:
    for section in facts.get("sections", ()):
        value = (section.get("values") or {}).get("peak_rss_kb")
        if isinstance(value, int):
            return value
    return None


class Phases:
    """Wall clock of the run's phases, timed by wrapping the functions ``grader run`` calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module, name: str, label: str) -> None:
        inner = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

        setattr(module, name, timed)


def task_spans(records) -> tuple[list[float], list[float]]:
    """From the scheduler's task stream: each notebook task's time on its worker, and each worker's idle gaps."""
    spans: dict[str, list[tuple[float, float]]] = {}
    durations = []
    for record in records:
        compute = [s for s in record["startstops"] if s["action"] == "compute"]
        if str(record["key"]).startswith("grader-") and compute:
            spans.setdefault(record["worker"], []).append((compute[0]["start"], compute[-1]["stop"]))
            durations.append(compute[-1]["stop"] - compute[0]["start"])
    gaps = []
    for worker_spans in spans.values():
        worker_spans.sort()
        gaps += [b[0] - a[1] for a, b in zip(worker_spans, worker_spans[1:])]
    return durations, gaps


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--sleep", type=float, default=20.0, help="seconds each notebook sleeps in all")
    parser.add_argument("--cells", type=int, default=4, help="cells the sleep is split into")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    assignments, subs = build(folder, args.notebooks, args.cells, args.sleep)
    scheduler, worker, address = start_cluster(folder, args.workers)
    sampler = Sampler(psutil.Process(worker.pid))
    sampler.start()
    phases = Phases()
    phases.wrap(grader.grading, "collect_all", "execution (the reference here, the notebooks on the cluster)")
    phases.wrap(grader.similarity.command, "compare_after_run", "similarity across the submissions")
    phases.wrap(grader.finish, "write_outputs", "outputs (both reports each, results.json, grades.csv, index.html)")
    from distributed import Client, get_task_stream

    try:
        with Client(address) as watcher, get_task_stream(watcher) as stream:
            cpu_before = psutil.Process().cpu_times()
            started = time.perf_counter()
            summary = run(submissions=subs, assignment="dorme", out=folder / "out", assignments_dir=assignments,
                          store=folder / "store.sqlite", scheduler=address, lang="en")
            wall = time.perf_counter() - started
            cpu_after = psutil.Process().cpu_times()
        durations, gaps = task_spans(stream.data)
    finally:
        sampler.stop.set()
        worker.terminate()
        scheduler.terminate()
        worker.wait(60)
        scheduler.wait(60)
    # every process below this one has ended and been waited for: the cluster's and the kernels' CPU time
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    results = summary.results.submissions
    errors = [s.id for s in results if s.error or s.score != 1.0]
    facts = [facts_of(folder / "out", s.id) for s in results]
    kernel_seconds = [f["seconds"] for f in facts]
    kernel_peaks = [p for p in (peak_kb(f) for f in facts) if p]
    ideal = args.notebooks * args.sleep / args.workers
    main_cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    cluster_cpu = children.ru_utime + children.ru_stime
    print(f"{args.notebooks} notebooks × {args.sleep:g} s of sleep in {args.cells} cells, "
          f"{args.workers} single-thread workers, {psutil.cpu_count()} cores")
    print(f"  ideal (Σ sleep ÷ workers)     {ideal:8.1f} s")
    print(f"  grader run --scheduler        {wall:8.1f} s   efficiency {ideal / wall:.3f}")
    print(f"  per notebook on its worker    {args.workers * wall / args.notebooks:8.2f} s "
          f"(sleep {args.sleep:g} s; kernel, start to shutdown: median {statistics.median(kernel_seconds):.2f} s)")
    if durations:
        print(f"  a notebook's task on its worker: median {statistics.median(durations):.2f} s "
              f"({statistics.median(durations) - statistics.median(kernel_seconds):.2f} s outside the kernel); "
              f"a worker idle between two tasks: median {statistics.median(gaps) if gaps else 0:.2f} s")
    for label, seconds in phases.seconds.items():
        print(f"    {label}: {seconds:.1f} s")
    print(f"  CPU: main process {main_cpu:.1f} s; cluster, workers and kernels {cluster_cpu:.1f} s "
          f"({cluster_cpu / args.notebooks:.2f} s per notebook) of {wall * psutil.cpu_count():.0f} s the cores had")
    print(f"  kernel peak (ru_maxrss)       median {statistics.median(kernel_peaks) / 1024:.0f} MiB, "
          f"max {max(kernel_peaks) / 1024:.0f} MiB ({len(kernel_peaks)} kernels)")
    if sampler.kernels:
        print(f"  kernel peak RSS (sampled)     max {mib(max(sampler.kernels.values()))}")
    if sampler.workers:
        print(f"  worker peak RSS (sampled)     median {mib(statistics.median(sampler.workers.values()))}, "
              f"max {mib(max(sampler.workers.values()))} ({len(sampler.workers)} processes)")
    print(f"  main process peak (ru_maxrss) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MiB")
    print(f"  not graded / not full marks   {errors or 'none'}")
    print(f"  files in {folder}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
