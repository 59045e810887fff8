"""Ctrl-C stops ``grader run`` within seconds, stops its kernels, keeps what is stored, and says so.

Real runs of the tiny "mini" assignment as separate processes; SIGINT goes to the run's
process group, as a terminal's Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from grader.run import run
from tests.test_resume import _class as _resume_class, _grader, _stale_workdirs, _stored

SUBMISSIONS = 3


def _class(root: Path) -> tuple[Path, Path]:
    """Three submissions of 1, 3 and 5 seconds: none done when the first is."""
    return _resume_class(root, SUBMISSIONS, lambda n: 1 + 2 * n)


pytestmark = pytest.mark.kernel


def _start(assignments: Path, subs: Path, out: Path, store: Path, data: Path) -> subprocess.Popen:
    return _grader(assignments, subs, out, store, data, output=subprocess.PIPE)


def _descendants(root: int) -> set[int]:
    """Every process below ``root`` now (workers, kernels in their own sessions, judges)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, pending = set(), [root]
    while pending:
        for child in parents.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            alive.add(pid)
    return alive


def _kernels(root: int) -> int:
    return sum(b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
               for pid in _alive(_descendants(root)) if Path(f"/proc/{pid}/cmdline").exists())


def _interrupt_when_stored(run_: subprocess.Popen, store: Path, count: int, times: int = 1) -> tuple[set[int], float]:
    """Wait until ``count`` notebooks are stored (the reference among them) and kernels run, then Ctrl-C ``times``."""
    deadline = time.monotonic() + 240
    while (len(_stored(store)) < count or not _kernels(run_.pid)) and time.monotonic() < deadline \
            and run_.poll() is None:
        time.sleep(0.2)
    assert run_.poll() is None, "the run ended before it could be interrupted"
    started = _descendants(run_.pid)
    assert started, "the run should have workers and kernels by now"
    for n in range(times):
        os.killpg(run_.pid, signal.SIGINT)
        if n + 1 < times:
            time.sleep(0.3)
    return started, time.monotonic()


def test_ctrl_c_stops_within_seconds_says_what_is_kept_and_the_same_command_resumes(tmp_path, dataset_dir):
    assignments, subs = _class(tmp_path)
    store, before = tmp_path / "store.sqlite", _stale_workdirs()
    first = _start(assignments, subs, tmp_path / "out1", store, dataset_dir)
    started, interrupted_at = _interrupt_when_stored(first, store, 2)
    try:
        _, stderr = first.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(first.pid, signal.SIGKILL)
        pytest.fail("Ctrl-C did not stop the run within 15 s")
    took = time.monotonic() - interrupted_at
    assert first.returncode == 130
    assert took < 10, f"Ctrl-C took {took:.1f} s to stop the run"
    done = _stored(store)
    kept = len(done) - 1  # the reference is stored too
    assert f"{kept} de {SUBMISSIONS} notebooks" in stderr, stderr
    assert "mesmo comando" in stderr and "Traceback" not in stderr, stderr
    time.sleep(0.5)
    assert not _alive(started), "a worker, kernel or judge outlived the interrupted run"
    assert not (_stale_workdirs() - before), "the interrupted run left work folders behind"
    assert not (tmp_path / "out1" / "results.json").exists()  # an interrupted run writes no grades

    again = run(submissions=subs, assignment="mini", out=tmp_path / "out2", jobs=2, data_dir=dataset_dir,
                store=store, assignments_dir=assignments)
    results = again.results.submissions
    assert len(results) == SUBMISSIONS and all(s.status == "graded" for s in results)
    assert {s.sha256 for s in results if s.cached} == done & {s.sha256 for s in results}
    assert sum(s.cached for s in results) == kept >= 1


def test_a_second_ctrl_c_ends_at_once_and_leaves_no_kernel(tmp_path, dataset_dir):
    assignments, subs = _class(tmp_path)
    store = tmp_path / "store.sqlite"
    first = _start(assignments, subs, tmp_path / "out1", store, dataset_dir)
    started, interrupted_at = _interrupt_when_stored(first, store, 0, times=2)
    try:
        first.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(first.pid, signal.SIGKILL)
        pytest.fail("a second Ctrl-C did not end the run")
    assert first.returncode == 130
    assert time.monotonic() - interrupted_at < 5
    time.sleep(0.5)
    assert not _alive(started), "a worker, kernel or judge outlived the run"
