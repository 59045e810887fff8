"""Execution knows no framework; checks and reports judge stored facts.

The import-linter contracts (pyproject.toml, tests/test_layers.py) see the imports of
grader's modules; this test also reads the code they *send*: a prelude line
``"import keras\\n"`` in a string is an import too, run in the kernel. Under grader/execute/
(but its compatibility layer, compat/, which patches the frameworks a notebook imports) no
string names a framework at all: which names mean "this notebook uses Keras", what to import
ahead and how to export a model are the inspectors' (grader/inspect/<framework>/).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("keras", "tensorflow", "tf_keras", "torch", "torchvision")
IMPORT = re.compile(rf"(?:^|\n|;)[ \t]*(?:import|from)[ \t]+(?:{'|'.join(FRAMEWORKS)})\b")
NAMED = re.compile(rf"\b(?:{'|'.join(FRAMEWORKS)})\b")
COMPAT = ROOT / "grader" / "execute" / "compat"
# still named under grader/execute/, to move out (say why): the kernel's KERAS_HOME folder, where
# Fashion-MNIST is seeded for keras.datasets (a dataset's setting, not an inspector's yet)
KNOWN = {"grader/execute/environment.py": ["line 45: 'keras'"]}


def _modules(*places: str) -> list[Path]:
    found = []
    for place in places:
        path = ROOT / "grader" / place
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in found if COMPAT not in p.parents]


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return {id(n.body[0].value) for n in nodes
            if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}


def framework_mentions(source: str, strict: bool) -> list[str]:
    """Where ``source`` imports a framework, or sends code that does; with ``strict``, any string naming one."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if IMPORT.search(node.value) or (strict and NAMED.search(node.value)):
                found.append(f"line {node.lineno}: {node.value[:80]!r}")
            continue
        else:
            continue
        found += [f"line {node.lineno}: import {name}" for name in names if name.split(".")[0] in FRAMEWORKS]
    return found


@pytest.mark.parametrize("path", _modules("execute"), ids=lambda p: str(p.relative_to(ROOT)))
def test_execution_names_no_framework(path):
    known = KNOWN.get(str(path.relative_to(ROOT)), [])
    assert framework_mentions(path.read_text(encoding="utf-8"), strict=True) == known


@pytest.mark.parametrize("path", _modules("checks", "report", "scoring.py", "decisions.py"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_checks_and_reports_neither_import_nor_send_a_framework(path):
    assert framework_mentions(path.read_text(encoding="utf-8"), strict=False) == []


def test_the_reader_finds_imports_sent_as_code_and_names_in_strings():
    sent = 'source = "x = 1\\n"\nsource += f"import keras\\n"\ncode = "a = 1; from torch import nn"\n'
    assert len(framework_mentions(sent, strict=False)) == 2
    assert framework_mentions("def f():\n    import tensorflow as tf\n", strict=False) == ["line 2: import tensorflow"]
    named = 'NAMES = r"\\b(keras|tensorflow)\\b"\nDEFAULT = entry.get("framework", "keras")\n'
    assert framework_mentions(named, strict=False) == [] and len(framework_mentions(named, strict=True)) == 2
    quiet = '"""Keras models: import keras happens in the kernel."""\nKERAS_HOME = "KERAS_HOME"\nkind = "keras2"\n'
    assert framework_mentions(quiet, strict=True) == []
