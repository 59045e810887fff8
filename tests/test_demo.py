"""``make demo`` grades a copy of the examples: nothing it does (a decision) writes into assignments/.

The recipe runs for real with a stand-in ``grader`` that records what it was asked to grade.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLES = PROJECT / "assignments" / "cnn-pratica" / "examples"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_grades_a_copy_holding_only_the_notebooks(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorded = tmp_path / "args.txt"
    fake = bin_dir / "grader"
    fake.write_text(f'#!/bin/sh\necho "$@" > {recorded}\nls "$2" >> {recorded}\n', encoding="utf-8")
    fake.chmod(0o755)
    copy = tmp_path / "entregas"
    subprocess.run(["make", "-s", "-o", "install", "demo", f"BIN={bin_dir}", f"DEMO_SUBMISSIONS={copy}",
                    f"DEMO_OUT={tmp_path / 'out'}"], cwd=PROJECT, check=True, capture_output=True, timeout=60)
    args, *listed = recorded.read_text(encoding="utf-8").splitlines()
    assert args.split()[:2] == ["run", str(copy)]
    assert sorted(listed) == sorted(p.name for p in EXAMPLES.glob("*.ipynb"))  # no expected.toml to report
    assert not (EXAMPLES / "decisions.toml").exists()
