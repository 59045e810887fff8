"""``grader run --scheduler``: the same task on a local Dask cluster gives the same grades."""

from __future__ import annotations


import pytest

from grader.cli import main
from grader.run import run
from tests.mini_assignment import build_mini

pytestmark = pytest.mark.kernel
distributed = pytest.importorskip("distributed")


def test_grading_on_a_local_dask_cluster_matches_local_workers(tmp_path, dataset_dir):
    assignments, subs = build_mini(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = run(submissions=subs, assignment="mini", out=tmp_path / "dask", assignments_dir=assignments,
                      data_dir=dataset_dir, no_store=True, scheduler=cluster.scheduler_address)
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
