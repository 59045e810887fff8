"""The local workers a server keeps (:class:`grader.backends.KeptPool`): the same processes from one call to
the next, shared by threads; a worker's death costs only its notebook; closed, it starts nothing more."""

from __future__ import annotations

import os
import threading

import pytest

from grader.backends import KeptPool
from grader.backends.kept import PoolClosed
from grader.messages import load_catalogue
from grader.schedule import Collected


def _note_pid_or_die(path, status=None, ahead=False):
    """A stand-in for a notebook's grading: notes its worker's pid, or kills the worker when the notebook says so."""
    import time
    from pathlib import Path

    from grader.facts import NotebookFacts

    what = Path(path).read_text(encoding="utf-8")
    if what == "exit":
        time.sleep(0.5)  # the other thread's notebook is running in the other worker by then
        os._exit(3)
    Path(path).with_suffix(".pid").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(1.0 if what == "slow" else 0.0)
    return NotebookFacts(sha256="a" * 64, seconds=1.0).to_json(), False


def _notebook(tmp_path, name: str, what: str):
    path = tmp_path / f"{name}.ipynb"
    path.write_text(what, encoding="utf-8")
    return path


def _run(pool: KeptPool, path, heard: Collected) -> None:
    pool.run_tasks({path.stem: path}, _note_pid_or_die, 1, load_catalogue("pt"), heard)


def test_the_workers_stay_from_one_call_to_the_next_and_stop_when_closed(tmp_path):
    pool = KeptPool(1, 1, tmp_path / "serve.log")
    heard = Collected()
    try:
        _run(pool, _notebook(tmp_path, "ana", "ok"), heard)
        _run(pool, _notebook(tmp_path, "bia", "ok"), heard)
        pids = {(tmp_path / f"{n}.pid").read_text() for n in ("ana", "bia")}
        assert len(pids) == 1  # one worker, kept: the second notebook paid no process start
        assert heard.facts["bia"][0].error is None
    finally:
        pool.close()
    assert not os.path.exists(f"/proc/{pids.pop()}")  # stopped and reaped by close()
    with pytest.raises(PoolClosed):
        _run(pool, _notebook(tmp_path, "carla", "ok"), Collected())


def test_a_worker_that_dies_costs_only_its_notebook_and_the_next_call_gets_fresh_workers(tmp_path):
    pool = KeptPool(2, 1, tmp_path / "serve.log")
    heard = {"ana": Collected(), "carla": Collected()}
    notebooks = {"ana": _notebook(tmp_path, "ana", "slow"), "carla": _notebook(tmp_path, "carla", "exit")}
    try:
        threads = [threading.Thread(target=_run, args=(pool, notebooks[n], heard[n])) for n in notebooks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        died = load_catalogue("pt")("submission.worker_died", times=2)
        assert heard["carla"].facts["carla"][0].error == died  # its worker died twice, the second time alone
        assert heard["ana"].facts["ana"][0].error is None  # broken with the shared pool, run again, graded
        later = Collected()
        _run(pool, _notebook(tmp_path, "davi", "ok"), later)
        assert later.facts["davi"][0].error is None
    finally:
        pool.close()
    assert not list(tmp_path.glob("grader-progress-*"))
