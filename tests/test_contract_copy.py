"""The project's copy of the results contract stays equal to the shared one (when it is beside the repo)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "contracts" / "results.schema.json"
SHARED = ROOT.parent / "shared" / "contracts" / "results.schema.json"


def test_the_project_carries_its_own_copy_of_the_contract():
    schema = json.loads(OWN.read_text(encoding="utf-8"))
    assert schema["properties"]["schema_version"] == {"const": 1}


@pytest.mark.skipif(not SHARED.is_file(), reason="no shared/ folder beside this clone")
def test_the_copy_equals_the_shared_contract():
    assert json.loads(OWN.read_text(encoding="utf-8")) == json.loads(SHARED.read_text(encoding="utf-8"))
