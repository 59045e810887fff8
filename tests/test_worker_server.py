"""The grading workers fork from one server process that imported the grading code (and Keras) once.

Each test runs in a fresh interpreter: the fork server is one per process, started with the
first pool, and the test process's own may be serving other tests already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TWO_RUNS = r'''
import json, os, sys
from grader.backends.local import fork_workers_from_server, process_pool
from tests.test_worker_server import worker_state

fork_workers_from_server(models=MODELS)
seen = []
for mark in ("first", "second"):
    os.environ["GRADER_TEST_MARK"] = mark  # set by the parent after the server started (the second time)
    with process_pool(1, 1, sys.argv[1]) as pool:
        seen.append(pool.submit(worker_state).result())
print(json.dumps({"parent": os.getpid(), "runs": seen}))
'''


def worker_state() -> dict:
    """What a worker has before its first notebook."""
    return {"pid": os.getpid(), "ppid": os.getppid(), "keras": "keras" in sys.modules,
            "grading_code": "grader.grade" in sys.modules, "mark": os.environ.get("GRADER_TEST_MARK")}


def _two_runs(tmp_path: Path, models: bool) -> tuple[dict, str]:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_TEST_MARK"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run([sys.executable, "-c", TWO_RUNS.replace("MODELS", repr(models)), str(tmp_path / "grader.log")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_workers_of_a_run_that_inspects_models_start_with_keras_from_one_silent_server(tmp_path):
    seen, stderr = _two_runs(tmp_path, models=True)
    first, second = seen["runs"]
    # both runs' workers are forked by the same server process, not by the run's process
    assert first["ppid"] == second["ppid"] != seen["parent"] and first["pid"] != second["pid"]
    assert first["keras"] and second["keras"] and first["grading_code"]
    # each worker has its parent's environment as the pool started, as a spawned worker has
    assert (first["mark"], second["mark"]) == ("first", "second")
    # TensorFlow's banners at the server's import reach neither the terminal nor the log
    for banner in ("oneDNN", "absl", "cpu_feature_guard", "TensorFlow binary"):
        assert banner not in stderr
        assert banner not in (tmp_path / "grader.log").read_text(encoding="utf-8")


def test_workers_of_a_run_without_models_never_import_keras(tmp_path):
    seen, _ = _two_runs(tmp_path, models=False)
    assert not any(run["keras"] for run in seen["runs"])
    assert all(run["grading_code"] for run in seen["runs"])


REAPED = r'''
import os, signal
from multiprocessing import forkserver
from grader.backends.local import process_pool
from grader.execute.reaper import children, reap_new_children

before = children()
with process_pool(1, 1) as pool:  # the fork server starts while a kernel of this process runs
    first = pool.submit(os.getppid).result()
reap_new_children(before)  # that kernel stops: what it left behind is killed, never the server
import time
from multiprocessing import resource_tracker
tracker = resource_tracker._resource_tracker._pid
time.sleep(0.5)  # a SIGKILL is delivered meanwhile
assert os.waitpid(tracker, os.WNOHANG) == (0, 0), "the reaper killed multiprocessing's resource tracker"
with process_pool(1, 1) as pool:
    second = pool.submit(os.getppid).result()
os.kill(second, signal.SIGKILL)  # the server killed outright: pools spawn their workers instead
os.waitpid(second, 0)
with process_pool(1, 1) as pool:
    third = pool.submit(os.getppid).result()
print(first == second != os.getpid(), third == os.getpid())
'''


def test_the_fork_server_survives_a_stopping_kernels_reaper_and_a_killed_one_is_replaced_by_spawn():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    done = subprocess.run([sys.executable, "-c", REAPED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
    assert "fork server is gone" in done.stderr


def test_off_linux_workers_are_spawned():
    from grader.backends.local import _worker_context

    # a student's laptop: Windows has no fork server, macOS spawns by default
    assert _worker_context("win32").get_start_method() == "spawn"
    assert _worker_context("darwin").get_start_method() == "spawn"
