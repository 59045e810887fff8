"""`make test` runs two pytest-xdist processes that must keep each group of tests in one process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

pytest.importorskip("xdist")


def test_tests_of_one_group_run_in_one_process(tmp_path):
    """With pytest 9, pytest-xdist 3.8's own group suffix is ignored; tests/conftest.py adds it."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import pytest
        from tests.conftest import _suffix_groups

        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(config, items):
            _suffix_groups(config, items)
        """), encoding="utf-8")
    (tmp_path / "test_grupos.py").write_text(textwrap.dedent("""
        import os
        import pytest

        @pytest.mark.xdist_group("sessao")
        @pytest.mark.parametrize("n", range(8))
        def test_da_sessao(n):
            with open(os.environ["QUEM"], "a") as f:
                f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

        @pytest.mark.parametrize("n", range(8))
        def test_solto(n):
            pass
        """), encoding="utf-8")
    who = tmp_path / "quem.txt"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist",
                           "loadgroup", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"QUEM": str(who), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    workers = who.read_text().split()
    assert len(workers) == 8 and len(set(workers)) == 1, workers
