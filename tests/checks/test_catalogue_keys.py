"""Every message key a check kind can return exists, with the same placeholders, in both catalogues."""

import ast
import string
import tomllib
from pathlib import Path

import pytest

import grader.checks
from grader.checks import default_registry

CHECKS_DIR = Path(grader.checks.__file__).parent
ASSIGNMENT = Path(__file__).parents[2] / "assignments" / "cnn-pratica" / "assignment.toml"
KEY_TABLES = {"check_param", "model", "executes", "model_params", "model_structure", "output_shape", "accuracy", "value",
              "answer_text", "function", "confusion_binarized", "compile_config", "callbacks", "decreasing"}


def _message_keys() -> set[str]:
    keys = set()
    for path in CHECKS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                table, dot, name = node.value.partition(".")
                if dot and table in KEY_TABLES and name.isidentifier():
                    keys.add(node.value)
    return keys


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_scan_finds_the_keys():
    assert {"executes.cell_error", "model.wrong_structure", "answer_text.review"} <= _message_keys()


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_every_key_exists(catalogues, lang):
    missing = sorted(k for k in _message_keys() if k not in catalogues[lang].messages)
    assert not missing


def test_catalogues_agree_on_placeholders(catalogues):
    pt, en = catalogues["pt"].messages, catalogues["en"].messages
    for key in sorted(k for k in pt if k.partition(".")[0] in KEY_TABLES):
        assert _fields(pt[key]) == _fields(en.get(key, "")), key


def test_assignment_params_are_accepted():
    registry = default_registry()
    data = tomllib.loads(ASSIGNMENT.read_text(encoding="utf-8"))
    for table in data["checks"]:
        params = {k: v for k, v in table.items() if k not in ("id", "section", "kind", "points", "visibility")}
        assert registry.get(table["kind"]).validate(params) is None, table["id"]
