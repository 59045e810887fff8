"""The disk watcher on a real folder and a real process group (no kernel)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pytest

from grader.execute import quota
from grader.execute.quota import DiskWatch, disk_usage


@pytest.fixture
def sleeper():
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    yield process
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _fill(folder, size):
    (folder / "blob.bin").write_bytes(os.urandom(size))


def test_usage_counts_what_the_files_hold(tmp_path):
    _fill(tmp_path, 300_000)
    assert 300_000 <= disk_usage(tmp_path, 10**9) < 400_000
    assert disk_usage(tmp_path, 1000) > 1000  # stops counting once past the limit


def test_check_now_stops_the_kernel_past_the_quota(tmp_path, sleeper):
    watch = DiskWatch(tmp_path, 100_000, lambda: sleeper.pid)
    assert not watch.check_now() and sleeper.poll() is None
    _fill(tmp_path, 200_000)
    assert watch.check_now() and watch.exceeded
    assert sleeper.wait(timeout=5) == -signal.SIGKILL


def test_clear_empties_the_folders_and_resets_the_flag(tmp_path, sleeper):
    (tmp_path / "sub").mkdir()
    _fill(tmp_path / "sub", 200_000)
    watch = DiskWatch(tmp_path, 100_000, lambda: sleeper.pid)
    assert watch.check_now()
    watch.clear(tmp_path)
    assert not watch.exceeded and list(tmp_path.iterdir()) == []


def test_a_measure_taken_before_clear_never_stops_the_next_kernel(tmp_path, sleeper, monkeypatch):
    """The thread measured the old kernel's files; the runner cleared them and started a new kernel."""
    _fill(tmp_path, 200_000)
    measured, go_on = threading.Event(), threading.Event()

    def slow_usage(folder, limit):
        used = disk_usage(folder, limit)
        measured.set()
        go_on.wait(5)
        return used

    monkeypatch.setattr(quota, "disk_usage", slow_usage)
    watch = DiskWatch(tmp_path, 100_000, lambda: sleeper.pid)  # sleeper: the new kernel
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(watch._measure()))
    thread.start()
    assert measured.wait(5)
    watch.clear(tmp_path)
    go_on.set()
    thread.join(5)
    assert outcome == [False] and not watch.exceeded
    time.sleep(0.1)
    assert sleeper.poll() is None
