"""Nothing lost: a run killed with SIGKILL resumes where it stopped; two runs share one store safely.

Real runs of the tiny "mini" assignment, started as separate processes (``grader run``),
so that a SIGKILL takes down the whole run as it would in a terminal.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from grader.run import run
from tests.mini_assignment import NUMPY_MODEL, build_mini, mini_notebook

pytestmark = pytest.mark.kernel

GRADER = Path(sys.executable).with_name("grader")
SUBMISSIONS = 6


def _class(root: Path, count: int = SUBMISSIONS, sleep=lambda n: 1.5) -> tuple[Path, Path]:
    """The mini assignment and ``count`` distinct submissions, the n-th sleeping ``sleep(n)`` seconds first."""
    assignments, subs = build_mini(root, numpy=True)
    for old in subs.glob("*.ipynb"):
        old.unlink()
    for n in range(count):
        code = f"import time\ntime.sleep({sleep(n)})\n{NUMPY_MODEL.format(units=8 + n)}"
        nbformat.write(mini_notebook(code, f"Resposta {n}", numpy=True), str(subs / f"aluno{n}.ipynb"))
    return assignments, subs


def _grader(assignments: Path, subs: Path, out: Path, store: Path, data: Path,
            output: int | None = subprocess.DEVNULL) -> subprocess.Popen:
    """``grader run`` of the mini assignment in a session of its own; ``output``: PIPE to read what it says."""
    return subprocess.Popen(
        [str(GRADER), "--assignments-dir", str(assignments), "run", str(subs), "--assignment", "mini",
         "--out", str(out), "--jobs", "2", "--store", str(store), "--data-dir", str(data)],
        stdout=output, stderr=output, text=True, start_new_session=True)


def _stored(store: Path) -> set[str]:
    if not store.exists():
        return set()
    try:
        with sqlite3.connect(store, timeout=30) as db:
            return {row[0] for row in db.execute("SELECT sha256 FROM facts")}
    except sqlite3.OperationalError:  # the run has not created the table yet
        return set()


def _stale_workdirs() -> set[Path]:
    """Work folders whose owner process is gone (other runs on this machine keep theirs alive)."""
    found = set()
    for owner in Path(tempfile.gettempdir()).glob("grader-*/owner.pid"):
        try:
            pid = int(owner.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            state = None  # gone
        if state in (None, "Z"):
            found.add(owner.parent)
    return found


def test_a_run_killed_with_sigkill_resumes_without_executing_finished_notebooks(tmp_path, dataset_dir):
    assignments, subs = _class(tmp_path)
    store, before = tmp_path / "store.sqlite", _stale_workdirs()
    first = _grader(assignments, subs, tmp_path / "out1", store, dataset_dir)
    deadline = time.monotonic() + 240
    while len(_stored(store)) < 3 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)  # the run, its workers, everything in its session
    first.wait()
    done = _stored(store)
    assert 3 <= len(done) < SUBMISSIONS + 1, "the run should have been killed part-way"
    time.sleep(1)  # kernels die with their run (die-with-parent); give them a moment
    left_behind = _stale_workdirs() - before

    again = run(submissions=subs, assignment="mini", out=tmp_path / "out2", jobs=2, data_dir=dataset_dir,
                store=store, assignments_dir=assignments)
    results = again.results.submissions
    assert len(results) == SUBMISSIONS and all(s.status == "graded" for s in results)
    executed = {s.sha256 for s in results if not s.cached}
    assert not executed & done  # nothing that had finished runs again
    assert {s.sha256 for s in results if s.cached} == done & {s.sha256 for s in results}
    assert not (left_behind & _stale_workdirs())  # the killed run's work folders are gone
    # the same grades as a run that was never killed
    # the same grades as a run that was never killed: each ran (1 point), none has the right model or answer
    assert {s.id: s.score for s in results} == {f"aluno{n}": 1.0 for n in range(SUBMISSIONS)}


def test_two_runs_on_one_store_at_once_corrupt_nothing(tmp_path, dataset_dir):
    assignments, subs = _class(tmp_path)
    store = tmp_path / "store.sqlite"
    runs = [_grader(assignments, subs, tmp_path / f"out{n}", store, dataset_dir) for n in (1, 2)]
    assert [p.wait(timeout=600) for p in runs] == [0, 0]
    scores = [{s["id"]: s["score"] for s in json.loads((tmp_path / f"out{n}" / "results.json").read_text())["submissions"]}
              for n in (1, 2)]
    assert scores[0] == scores[1] and len(scores[0]) == SUBMISSIONS
    assert len(_stored(store)) == SUBMISSIONS + 1  # each notebook (and the reference) stored once
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_force_executes_again_what_the_store_holds(tmp_path, dataset_dir):
    assignments, subs = build_mini(tmp_path, numpy=True)
    store = tmp_path / "store.sqlite"
    common = dict(submissions=subs, assignment="mini", jobs=2, data_dir=dataset_dir, store=store,
                  assignments_dir=assignments)
    first = run(out=tmp_path / "out1", **common).results.submissions
    assert not any(s.cached for s in first)
    assert all(s.cached for s in run(out=tmp_path / "out2", **common).results.submissions)
    forced = run(out=tmp_path / "out3", force=True, **common).results.submissions
    assert not any(s.cached for s in forced)
    assert [s.score for s in forced] == [s.score for s in first]
