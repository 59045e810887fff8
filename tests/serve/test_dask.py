"""``grader serve --scheduler ADDRESS`` grades on a Dask cluster, as ``grader run --scheduler`` does: a student's
check is executed by a worker of a local cluster and reported as on the local workers."""

from __future__ import annotations

import re

import pytest

from tests.serve.server import EXAMPLES, Client, start_server

pytestmark = pytest.mark.kernel
distributed = pytest.importorskip("distributed")


def test_a_check_is_graded_on_the_dask_cluster(tmp_path):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        server = start_server(tmp_path, "verificacao", options=("--scheduler", cluster.scheduler_address))
        try:
            ana = Client(server).sign_in("ana")
            reply = ana.upload(EXAMPLES / "07-contas-erradas.ipynb", ana.csrf())
            assert reply.status == 303, reply.text
            job = int(reply.headers["location"].rsplit("/", 1)[1])
            ana.wait_done(job)
            page = ana.get(f"/tentativas/{job}").text
            assert re.search(r"Nota: \d+(,\d+)? / 20", page), page
            assert ana.get(f"/tentativas/{job}/relatorio").status == 200
        finally:
            server.stop()
        # the scheduler runs in this process: the tasks it handed out, by key
        keys = {str(entry[0]) for entry in cluster.scheduler.transition_log}
    assert "grader-0-submission.ipynb" in keys, keys  # Ana's notebook, executed on the cluster's worker
