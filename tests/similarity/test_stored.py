"""A re-check compares nothing again: the findings of the same notebooks come from the store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.notebook import sha256_file
from grader.similarity import command
from grader.similarity.command import Notebook, stored_or_compared
from grader.similarity.settings import SimilaritySettings
from grader.store import Store

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "relu-exercicios"
HANDOUT = ASSIGNMENT / "relu-exercicios.ipynb"


def _notebooks(folder: Path) -> list[Notebook]:
    found = []
    for name in ("01-correta", "02-relu-so-listas", "05-template-intocado"):
        path = folder / f"{name}.ipynb"
        shutil.copy(ASSIGNMENT / "examples" / f"{name}.ipynb", path)
        found.append(Notebook(name, path, sha256_file(path)))
    return found


def _no_comparison(*args, **kwargs):
    raise AssertionError("compared again")


def test_the_same_notebooks_are_not_compared_twice(tmp_path, monkeypatch):
    store, notebooks = Store(tmp_path / "store.sqlite"), _notebooks(tmp_path)
    first = stored_or_compared(notebooks, HANDOUT, SimilaritySettings(), store)
    monkeypatch.setattr(command, "compare_notebooks", _no_comparison)
    again = stored_or_compared(notebooks, HANDOUT, SimilaritySettings(), store)
    assert again.to_json() == first.to_json() and set(again.compared) == {n.id for n in notebooks}


def test_another_notebook_or_other_settings_are_compared(tmp_path, monkeypatch):
    store, notebooks = Store(tmp_path / "store.sqlite"), _notebooks(tmp_path)
    stored_or_compared(notebooks, HANDOUT, SimilaritySettings(), store)
    monkeypatch.setattr(command, "compare_notebooks", _no_comparison)
    changed = notebooks[:2] + [Notebook("outro", notebooks[2].path, "f" * 64)]
    with pytest.raises(AssertionError, match="compared again"):
        stored_or_compared(changed, HANDOUT, SimilaritySettings(), store)
    stricter = SimilaritySettings(**{**SimilaritySettings().to_json(), "enabled": True, "min_run": 10})
    with pytest.raises(AssertionError, match="compared again"):
        stored_or_compared(notebooks, HANDOUT, stricter, store)


def test_without_a_store_everything_is_compared(tmp_path):
    findings = stored_or_compared(_notebooks(tmp_path), HANDOUT, SimilaritySettings(), None)
    assert len(findings.compared) == 3
