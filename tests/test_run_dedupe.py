"""Byte-identical notebooks in one run are executed once and get the same grade."""

from __future__ import annotations

import json
import shutil

import pytest

from grader.run import run
from grader.schedule import _distinct
from tests.mini_assignment import build_mini


def test_identical_files_map_to_the_first_one(tmp_path):
    for name, text in (("a", "x"), ("b", "y"), ("c", "x"), ("d", "x")):
        (tmp_path / f"{name}.ipynb").write_text(text)
    paths = {name: tmp_path / f"{name}.ipynb" for name in "abcd"}
    distinct, copies = _distinct(paths)
    assert list(distinct) == ["a", "b"] and copies == {"c": "a", "d": "a"}


def test_an_unreadable_file_is_kept_for_its_own_error(tmp_path):
    paths = {"gone": tmp_path / "gone.ipynb", "also": tmp_path / "gone.ipynb"}
    distinct, copies = _distinct(paths)
    assert set(distinct) == {"gone", "also"} and not copies


@pytest.mark.kernel
def test_a_copy_of_a_submission_reuses_its_execution(tmp_path, dataset_dir):
    assignments, subs = build_mini(tmp_path, numpy=True)
    shutil.copy(subs / "ana.ipynb", subs / "ana-copia.ipynb")
    shutil.copy(tmp_path / "reference" / "mini.ipynb", subs / "referencia.ipynb")
    outcome = run(submissions=subs, assignment="mini", out=tmp_path / "out", assignments_dir=assignments,
                  data_dir=dataset_dir, no_store=True, jobs=2)
    results = {s.id: s for s in outcome.results.submissions}
    assert results["ana"].score == results["ana-copia"].score == 3.0
    # one execution: the very same facts, every cell's timing included, not two runs that agree
    facts = [json.loads((tmp_path / "out" / sub / "facts.json").read_text()) for sub in ("ana", "ana-copia")]
    assert facts[0] == facts[1] and len(facts[0]["cells"]) >= 2
    assert all(cell["seconds"] > 0 for cell in facts[0]["cells"])
    assert results["referencia"].score == 3.0
