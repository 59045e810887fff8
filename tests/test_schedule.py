"""How many notebooks run at once, and with how many threads each (pure: no kernel)."""

from __future__ import annotations

from grader.schedule import default_jobs, resolve_threads
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
    from grader.schedule import _OnePerThread

    window = object.__new__(_OnePerThread)  # its bookkeeping only: no cluster needed
    done, ana, bia, reference = object(), object(), object(), object()
    window.futures = {done: "carla", ana: "ana", bia: "bia", reference: "\0reference"}
    window._in_flight = {bia, ana, reference}
    assert window.running()[:2] == ["ana", "bia"] and len(window.running()) == 3
    assert "carla" not in window.running()


def _leave_output() -> int:
    import logging
    import os
    import sys

    logging.getLogger("grader.test").warning("a worker's warning")
    sys.stdout.write("printed without a newline")  # still buffered when the worker exits
    return os.getpid()


def test_pool_workers_skip_the_interpreter_teardown_but_lose_no_output(tmp_path):
    import os

    from grader.schedule import _pool

    log = tmp_path / "grader.log"
    with _pool(1, 1, log) as pool:
        pid = pool.submit(_leave_output).result()
    assert pid != os.getpid()
    text = log.read_text(encoding="utf-8")
    assert "printed without a newline" in text and "a worker's warning" in text
