"""``grader run --scheduler``: the same task on a local Dask cluster gives the same grades."""

from __future__ import annotations

import os

import pytest

from grader.cli import main
from grader.run import run
from tests.mini_assignment import build_mini

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
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
