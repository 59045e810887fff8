"""How many notebooks run at once, with how many threads each, and the two backends' bookkeeping (no kernel)."""

from __future__ import annotations

from grader.schedule import default_jobs, resolve_threads
from grader.messages import load_catalogue
from grader.spec import ExecutionSettings

GiB = 2**30


def test_jobs_default_to_the_cores_over_the_threads_bounded_by_memory():
    assert default_jobs(ExecutionSettings(threads=1), cores=2, memory_bytes=24 * GiB) == 2
    assert default_jobs(ExecutionSettings(threads=2), cores=8, memory_bytes=64 * GiB) == 4
    # 6 GiB per kernel on a 16 GiB machine: two at once, whatever the cores
    assert default_jobs(ExecutionSettings(threads=1, memory_mb=6144), cores=16, memory_bytes=16 * GiB) == 2
    assert default_jobs(ExecutionSettings(threads=4), cores=2, memory_bytes=GiB) == 1


def test_auto_threads_share_the_cores_among_the_notebooks():
    auto = ExecutionSettings(threads="auto")
    assert resolve_threads(auto, jobs=1, cores=8).threads == 8  # grader check: one notebook, every core
    assert resolve_threads(auto, jobs=3, cores=8).threads == 2
    assert resolve_threads(auto, jobs=4, cores=2).threads == 1
    assert resolve_threads(ExecutionSettings(threads=3), jobs=4, cores=2).threads == 3
    assert default_jobs(auto, cores=4, memory_bytes=64 * GiB) == 4


def test_the_progress_of_a_dask_run_names_the_notebooks_on_the_cluster():
    from grader.backends.dask_cluster import OnePerThread
    from grader.schedule import at_cell

    window = object.__new__(OnePerThread)  # its bookkeeping only: no cluster needed
    done, ana, bia, reference = object(), object(), object(), object()
    window.futures = {done: "carla", ana: "ana", bia: "bia", reference: "\0reference"}
    window._in_flight = {bia, ana, reference}
    names = [at_cell(running, load_catalogue("pt")) for running in window.running()]
    assert names == ["ana", "bia", "solução de referência"]


def _leave_output() -> int:
    import logging
    import os
    import sys

    logging.getLogger("grader.test").warning("a worker's warning")
    sys.stdout.write("printed without a newline")  # still buffered when the worker exits
    return os.getpid()


def test_pool_workers_skip_the_interpreter_teardown_but_lose_no_output(tmp_path):
    import os

    from grader.backends.local import process_pool

    log = tmp_path / "grader.log"
    with process_pool(1, 1, log) as pool:
        pid = pool.submit(_leave_output).result()
    assert pid != os.getpid()
    text = log.read_text(encoding="utf-8")
    assert "printed without a newline" in text and "a worker's warning" in text


# ---------------------------------------------------------------------- a worker that dies
def _grade_or_die(path, status=None, ahead=False):
    """A stand-in for a notebook's grading in a pool worker, whose notebook says how its worker ends."""
    import os
    import signal
    import time
    from pathlib import Path

    from grader.facts import NotebookFacts

    what = Path(path).read_text(encoding="utf-8")
    if what == "exit":  # every time: a crash in native code, the memory limit
        os._exit(3)
    flag = Path(path).with_suffix(".died")
    if what == "kill-once" and not flag.exists():  # once: the machine ran short of memory for a moment
        flag.write_text("x", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
    if what == "slow":
        time.sleep(1.0)
    return NotebookFacts(sha256="a" * 64, seconds=1.0).to_json(), False


def test_a_dead_worker_costs_only_its_notebook_and_the_pool_goes_on(tmp_path):
    from grader.backends import LocalPool
    from grader.schedule import Collected

    kinds = {"ana": "slow", "carla": "exit", "davi": "kill-once", "eva": "ok"}
    paths = {}
    for name, what in kinds.items():
        paths[name] = tmp_path / f"{name}.ipynb"
        paths[name].write_text(what, encoding="utf-8")
    heard = Collected()
    LocalPool(2, tmp_path / "grader.log").run_tasks(paths, _grade_or_die, 1, load_catalogue("pt"), heard)
    collected = heard.facts
    assert set(collected) == set(kinds)
    died = load_catalogue("pt")("submission.worker_died", times=2)
    assert collected["carla"][0].error == died  # its worker died twice, the second time alone
    assert {k for k, (facts, _) in collected.items() if facts.error is None} == set(kinds) - {"carla"}
    assert (tmp_path / "davi.died").exists()  # davi's worker did die, once: davi ran again and was graded
    assert not list(tmp_path.glob("grader-progress-*"))


def test_workers_that_never_start_fail_every_notebook_with_the_reason(tmp_path):
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from grader.backends.base import gather
    from grader.pool import SurvivingPool
    from grader.schedule import Collected

    paths = {n: tmp_path / f"{n}.ipynb" for n in ("ana", "bia")}
    for p in paths.values():
        p.write_text("ok", encoding="utf-8")
    markers = {n: tmp_path / f"{n}.started" for n in paths}

    def broken_pool(size):  # an initializer that fails: the pool breaks before any notebook starts
        return ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("spawn"), initializer=_fail)

    pool = SurvivingPool(broken_pool, _grade_or_die, paths, 1, markers)
    heard = Collected()
    gather(pool.futures, pool, heard, total=2, running=list, result=pool.result)
    assert {k: "BrokenProcessPool" in facts.error for k, (facts, _) in heard.facts.items()} == {"ana": True, "bia": True}


def _fail():
    raise RuntimeError("this worker cannot start")


def _note_ahead(path, status=None, ahead=False):
    return ahead


def test_only_notebooks_a_worker_takes_another_after_start_a_kernel_ahead(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from grader.pool import SurvivingPool

    def ahead_of(names: str, jobs: int) -> dict[str, bool]:
        paths = {n: tmp_path / f"{n}.ipynb" for n in names}
        pool = SurvivingPool(ThreadPoolExecutor, _note_ahead, paths, jobs, {n: tmp_path / f"{n}.started" for n in paths})
        return {pool.futures[future]: pool.result(future) for future in pool}

    # the last notebook of each worker starts none: it would wait unused until the worker exits
    assert ahead_of("abcde", 2) == {"a": True, "b": True, "c": True, "d": False, "e": False}
    assert ahead_of("abc", 1) == {"a": True, "b": True, "c": False}
    assert ahead_of("ab", 2) == {"a": False, "b": False}  # one notebook per worker: none ahead
