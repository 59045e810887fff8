"""A server killed (SIGKILL) with a notebook in its queue grades it once started again: nothing is lost,
and none of its worker processes outlives it (a worker still starting when it was killed included)."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.serve.server import EXAMPLES, Client, listen, start_server

pytestmark = pytest.mark.kernel


def test_a_killed_server_grades_its_queued_notebook_when_started_again(tmp_path):
    server = start_server(tmp_path, "verificacao", cooldown_minutes=0)
    try:
        ana = Client(server).sign_in("ana")
        reply = ana.upload(EXAMPLES / "07-contas-erradas.ipynb", ana.csrf())
        job = int(reply.headers["location"].rsplit("/", 1)[1])
        assert json.loads(ana.get(f"/tentativas/{job}/estado").body)["state"] in ("queued", "running")
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)
    finally:
        server.stop()
    port = urllib.parse.urlsplit(server.url).port
    again = listen(tmp_path, server.course, port, server.links)
    try:
        ana.server = again
        ana.wait_done(job)
        page = ana.get(f"/tentativas/{job}").text
        assert "Nota:" in page and ana.get(f"/tentativas/{job}/relatorio").status == 200
        assert ana.get("/").text.count('href="/tentativas/') == 1  # graded once, listed once
    finally:
        again.stop()
    assert left_behind(tmp_path / "dados" / "serve.log") == []


def left_behind(log: Path, wait: float = 10.0) -> list[int]:
    """Processes still writing to the server's log (its workers and kernels) ``wait`` s after it stopped."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for fd in Path("/proc").glob("[0-9]*/fd/1"):
            try:
                if os.readlink(fd) == str(log):
                    found.append(int(fd.parts[2]))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)
