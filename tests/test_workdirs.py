"""Work folders a killed run left behind are removed by the next run; live ones are kept."""

from __future__ import annotations

import os
import subprocess
import sys

from grader.workdirs import OWNER, PREFIX, remove_stale_workdirs


def test_only_folders_whose_owner_is_gone_are_removed(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale, live, foreign = tmp_path / f"{PREFIX}stale", tmp_path / f"{PREFIX}live", tmp_path / f"{PREFIX}foreign"
    for folder in (stale, live, foreign):
        folder.mkdir()
    (stale / OWNER).write_text(gone.stdout.strip())
    (live / OWNER).write_text(str(os.getpid()))
    assert remove_stale_workdirs(tmp_path) == 1
    assert not stale.exists() and live.exists() and foreign.exists()
