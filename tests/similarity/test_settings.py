"""The spec's [similarity] table: defaults, values, and errors that name the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.checks import default_registry
from grader.errors import SpecError
from grader.similarity.settings import SimilaritySettings
from grader.spec import Assignment, load_assignment

PROJECT = Path(__file__).resolve().parents[2]


def spec_with(tmp_path: Path, table: str) -> Path:
    folder = tmp_path / "relu-exercicios"
    shutil.copytree(PROJECT / "assignments" / "relu-exercicios", folder)
    spec = folder / "assignment.toml"
    text = spec.read_text(encoding="utf-8").replace('reference = "../../reference/',
                                                    f'reference = "{PROJECT}/reference/')
    spec.write_text(text + "\n" + table, encoding="utf-8")
    return spec


def test_without_the_table_the_measured_defaults_apply():
    spec = load_assignment(PROJECT / "assignments" / "relu-exercicios" / "assignment.toml",
                           default_registry(PROJECT / "assignments" / "relu-exercicios"))
    assert spec.similarity == SimilaritySettings()
    assert spec.similarity.enabled and spec.similarity.threshold == 0.5 and spec.similarity.min_run == 80


def test_the_table_sets_thresholds_and_sizes_and_survives_the_run_snapshot(tmp_path):
    spec = spec_with(tmp_path, "[similarity]\nthreshold = 0.7\nk = 20\nwindow = 4\nenabled = false\n")
    parsed = load_assignment(spec, default_registry(spec.parent))
    assert (parsed.similarity.threshold, parsed.similarity.k, parsed.similarity.window) == (0.7, 20, 4)
    assert parsed.similarity.enabled is False
    assert Assignment.from_json(parsed.to_json()).similarity == parsed.similarity  # OUT/.grader/assignment.json


def test_a_snapshot_without_similarity_reads_back_with_the_defaults():
    spec = load_assignment(PROJECT / "assignments" / "relu-exercicios" / "assignment.toml",
                           default_registry(PROJECT / "assignments" / "relu-exercicios"))
    data = spec.to_json()
    del data["similarity"]
    assert Assignment.from_json(data).similarity == SimilaritySettings()


@pytest.mark.parametrize("table, message", [
    ("threshold = 1.5", r"\[similarity\]: 'threshold' must be a share between 0 and 1"),
    ("k = 0", r"\[similarity\]: 'k' must be a whole number of at least 1, got 0"),
    ("window = 2.5", r"'window' must be a whole number"),
    ("enabled = 1", r"'enabled' must be true or false"),
    ("treshold = 0.5", r"\[similarity\]: unknown key 'treshold' \(did you mean 'threshold'\?\)"),
])
def test_bad_values_name_the_file_the_table_and_the_key(tmp_path, table, message):
    spec = spec_with(tmp_path, f"[similarity]\n{table}\n")
    with pytest.raises(SpecError, match=message) as caught:
        load_assignment(spec, default_registry(spec.parent))
    assert str(spec) in str(caught.value)
