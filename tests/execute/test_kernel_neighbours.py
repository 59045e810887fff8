"""Kernels sharing one worker process (a Dask worker with several threads, a kernel started ahead).

Stopping one kernel kills what *it* left behind, never another live kernel of the process.
"""

from __future__ import annotations

import threading
from pathlib import Path

import nbformat
import pytest

from grader.execute.environment import prepare_area
from grader.execute.kernel import start_kernel, stop_kernel
from grader.execute.sandbox import resolve_sandbox
from grader.spec import ExecutionSettings

pytestmark = pytest.mark.kernel
v4 = nbformat.v4


def _kernel(tmp_path: Path, name: str, dataset_dir: Path):
    nb = v4.new_notebook(cells=[v4.new_code_cell("")])
    area = prepare_area(tmp_path / name, dataset_dir)
    return nb, start_kernel(nb, area, ExecutionSettings(), resolve_sandbox("auto"), dataset_dir, lambda **_: None)


def _run(kernel, nb, source: str, timeout: int = 30):
    cell = v4.new_code_cell(source)
    kernel.client.timeout = timeout
    kernel.client.execute_cell(cell, 0)
    return cell


def test_stopping_a_kernel_leaves_the_other_kernels_of_the_process_running(tmp_path, dataset_dir):
    first_nb, first = _kernel(tmp_path, "a", dataset_dir)
    outcome: dict[str, object] = {}

    def second_notebook() -> None:  # another thread of the same worker process
        nb, second = _kernel(tmp_path, "b", dataset_dir)
        try:
            started.set()
            _run(second, nb, "import time\ntime.sleep(3)")
            outcome["cell"] = _run(second, nb, "print('still here')")
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            outcome["error"] = exc
        finally:
            stop_kernel(second)

    started = threading.Event()
    thread = threading.Thread(target=second_notebook)
    thread.start()
    assert started.wait(60)
    _run(first, first_nb, "x = 1")
    stop_kernel(first)  # while the other kernel sleeps in its cell
    thread.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert "still here" in outcome["cell"].outputs[0]["text"]


def test_reaping_spares_every_registered_process_of_this_one():
    import subprocess

    from grader.execute.reaper import LIVE, children, reap_new_children

    before = children()
    in_use = subprocess.Popen(["sleep", "30"])  # a kernel or judge of another notebook of this worker
    left_behind = subprocess.Popen(["sleep", "30"])
    LIVE.add(in_use.pid)
    try:
        assert reap_new_children(before) == 1
        assert left_behind.wait(10) is not None and in_use.poll() is None
    finally:
        LIVE.discard(in_use.pid)
        in_use.kill()
        in_use.wait()
