"""Harvest time counts toward the notebook's deadline (issue 18).

A notebook of quick cells whose hook sleeps whenever the grader exports its models held a
worker for 300 s per harvest (each harvest had a timeout of its own, outside the
notebook's budget): with two sections, ten minutes for a notebook of a few seconds. Now a
harvest gets what is left of the budget, and all of them together at most a short grace
past it.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from grader.execute.runner import HARVEST_GRACE
from grader.run import run
from tests.hostile.corpus import MODEL_OK, notebook
from tests.mini_assignment import build_mini

pytestmark = pytest.mark.kernel

TOTAL_TIMEOUT = 10
SLEEPER = """
    import time
    def _dorme(result):
        raw = getattr(getattr(result, 'info', None), 'raw_cell', '') or ''
        if raw.startswith('#grader-command'):
            time.sleep(1000)  # every export of the grader waits here
    get_ipython().events.register('post_run_cell', _dorme)
    """


def test_a_notebook_that_stalls_its_harvests_is_bounded_by_its_deadline(tmp_path, dataset_dir):
    assignments, _ = build_mini(tmp_path)
    spec = assignments / "mini" / "assignment.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("total_timeout = 300", f"total_timeout = {TOTAL_TIMEOUT}"),
                    encoding="utf-8")
    subs = tmp_path / "lenta"
    subs.mkdir()
    nbformat.write(notebook(SLEEPER, MODEL_OK), str(subs / "lenta.ipynb"))
    run(submissions=subs, assignment="mini", assignments_dir=assignments, out=tmp_path / "out", jobs=1,
        no_store=True, data_dir=dataset_dir, isolation=os.environ.get("GRADER_TEST_ISOLATION", "auto"))
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["submissions"][0]
    seconds = result["execution"]["seconds"]
    # the budget, the grace, and a few probes and interrupts: far from the 300 s per harvest of before
    assert seconds < TOTAL_TIMEOUT + HARVEST_GRACE + 30, f"execution took {seconds:.0f} s"
    assert result["status"] == "graded"
