"""The grader's side of the judge: what it counts itself and what it refuses to believe."""

from __future__ import annotations

import h5py
import numpy as np

from grader.inspect.keras.judging import weight_file_sizes


def test_parameters_are_counted_from_the_weight_file_without_the_optimizer_state(tmp_path):
    path = tmp_path / "model.weights.h5"
    with h5py.File(path, "w") as handle:
        handle["conv1/vars/0"] = np.zeros((5, 5, 1, 6))
        handle["conv1/vars/1"] = np.zeros((6,))
        handle["layers/dense/vars/0"] = np.zeros((1176, 10))
        handle["optimizer/vars/0"] = np.zeros(())
        handle["optimizer/vars/1"] = np.zeros((1176, 10))
    assert sum(weight_file_sizes(path)) == 150 + 6 + 11760


def test_a_judge_is_told_to_quit_and_exits_on_its_own(tmp_path):
    """``close`` sends ``quit`` before forgetting the process: no 5-second wait, no kill (it did both)."""
    import time

    from grader.execute.sandbox import Sandbox
    from grader.inspect.judge import Judge, JudgeSetup
    from grader.spec import ExecutionSettings

    judge = Judge(JudgeSetup(tmp_path / "judge", Sandbox(), ExecutionSettings(), "x = 1\n"))
    judge._start()
    process = judge.process
    started = time.monotonic()
    judge.close()
    assert process.returncode == 0 and time.monotonic() - started < 3
