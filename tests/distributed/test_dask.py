"""``grader run --scheduler``: the same task on a local Dask cluster gives the same grades."""

from __future__ import annotations

import os

import nbformat
import pytest

from grader.cli import main
from grader.run import run
from tests.mini_assignment import build_mini, mini_notebook

pytestmark = pytest.mark.kernel
distributed = pytest.importorskip("distributed")


# Loaded by every Dask worker at start: any open() under the folders named in the variable
# fails, so the workers cannot read the submissions, the assignment or the reference
# notebook: they get bytes and data from the main process, as on machines without a shared disk.
FORBID = """
import os, sys

_FORBIDDEN = [p for p in os.environ.get("GRADER_TEST_FORBIDDEN", "").split(os.pathsep) if p]


def _hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if any(path == f or path.startswith(f + os.sep) for f in _FORBIDDEN):
            raise PermissionError(f"this worker may not read {path}")


sys.addaudithook(_hook)
"""


def test_grading_on_a_local_dask_cluster_matches_local_workers(tmp_path, dataset_dir, monkeypatch):
    assignments, subs = build_mini(tmp_path)
    preload = tmp_path / "forbid.py"
    preload.write_text(FORBID, encoding="utf-8")
    forbidden = [subs, assignments, tmp_path / "reference", tmp_path / "store.sqlite"]
    monkeypatch.setenv("GRADER_TEST_FORBIDDEN", os.pathsep.join(str(p.resolve()) for p in forbidden))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  preload=[str(preload)]) as cluster:
        on_dask = run(submissions=subs, assignment="mini", out=tmp_path / "dask", assignments_dir=assignments,
                      data_dir=dataset_dir, store=tmp_path / "store.sqlite", scheduler=cluster.scheduler_address)
        # the facts came back and were stored here: a second run executes nothing
        again = run(submissions=subs, assignment="mini", out=tmp_path / "dask2", assignments_dir=assignments,
                    data_dir=dataset_dir, store=tmp_path / "store.sqlite", scheduler=cluster.scheduler_address)
    assert all(s.cached for s in again.results.submissions)
    assert not any(s.error for s in on_dask.results.submissions), [s.error for s in on_dask.results.submissions]
    local = run(submissions=subs, assignment="mini", out=tmp_path / "local", assignments_dir=assignments,
                data_dir=dataset_dir, no_store=True, jobs=2)
    scores = {s.id: s.score for s in on_dask.results.submissions}
    assert scores == {s.id: s.score for s in local.results.submissions}
    assert scores == {"ana": 3.0, "bia": 1.0}  # bia: wrong units, and her answer states her own count


def test_unreachable_scheduler_is_a_usage_error(tmp_path, dataset_dir, capsys):
    assignments, subs = build_mini(tmp_path)
    code = main(["--assignments-dir", str(assignments), "run", str(subs), "--assignment", "mini",
                 "--out", str(tmp_path / "o"), "--no-store", "--data-dir", str(dataset_dir),
                 "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0.5"])
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err


def test_scheduler_timeout_must_be_positive(tmp_path, dataset_dir, capsys):
    assignments, subs = build_mini(tmp_path)
    code = main(["--assignments-dir", str(assignments), "run", str(subs), "--assignment", "mini", "--lang", "en",
                 "--out", str(tmp_path / "o"), "--no-store", "--data-dir", str(dataset_dir),
                 "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0"])
    assert code == 2
    assert "--scheduler-timeout must be a positive number of seconds" in capsys.readouterr().err


# Loaded by every Dask worker at start: each worker process leaves its pid in a folder, so
# that the notebook below can tell its worker from the other processes above its kernel.
REGISTER_WORKER = """
import os
from pathlib import Path

Path(os.environ["GRADER_TEST_WORKERS"], str(os.getpid())).touch()
"""

# A student's cell that kills the Dask worker process executing it (its nearest ancestor
# among the registered workers), notes which one, then ends its own kernel.
KILL_MY_WORKER = """
import os, signal
from pathlib import Path

workers = {{int(p.name) for p in Path({workers!r}).iterdir()}}
pid = os.getpid()
while pid > 1 and pid not in workers:
    pid = int(Path(f"/proc/{{pid}}/stat").read_text().rsplit(")", 1)[1].split()[1])
if pid > 1:
    with open({killed!r}, "a") as log:
        log.write(f"{{pid}}\\n")
    os.kill(pid, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_notebook_that_kills_its_worker_is_retried_once_elsewhere_then_reported(tmp_path, dataset_dir,
                                                                                   monkeypatch):
    assignments, subs = build_mini(tmp_path, numpy=True)  # the retries, not the framework, are tested here
    (subs / "bia.ipynb").unlink()  # ana is graded beside the notebook that kills its workers
    workers, killed = tmp_path / "workers", tmp_path / "killed.txt"
    workers.mkdir()
    nbformat.write(mini_notebook(KILL_MY_WORKER.format(workers=str(workers), killed=str(killed)), "nada", numpy=True),
                   str(subs / "carla.ipynb"))
    preload = tmp_path / "register.py"
    preload.write_text(REGISTER_WORKER, encoding="utf-8")
    monkeypatch.setenv("GRADER_TEST_WORKERS", str(workers))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  preload=[str(preload)]) as cluster:
        # no sandbox: the kernel must see its worker process to kill it
        summary = run(submissions=subs, assignment="mini", out=tmp_path / "out", assignments_dir=assignments,
                      data_dir=dataset_dir, no_store=True, isolation="none", scheduler=cluster.scheduler_address,
                      lang="en")
        with distributed.Client(cluster.scheduler_address) as client:  # the scheduler's own setting is back
            assert client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.allowed_failures) == 3
    results = {s.id: s for s in summary.results.submissions}
    pids = killed.read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2  # tried on one worker, retried once on another, no more
    assert results["carla"].status == "error" and results["carla"].score == 0
    assert results["carla"].error.startswith("the process executing this notebook died 2 times, on 2 different")
    assert results["ana"].status == "graded" and results["ana"].score == 3.0
