"""The compatibility layer's parts (grader/execute/compat/) and the one text the kernel and the judge get."""

from __future__ import annotations

import ast
import re

import pytest

from grader.execute.compat import HERE, PIECES, kernel_source
from grader.messages import load_catalogue


@pytest.mark.parametrize("piece", PIECES)
def test_no_part_imports_the_grader(piece):
    tree = ast.parse((HERE / f"{piece}.py").read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level]
    assert not [n for n in names if n.split(".")[0] == "grader"]


def test_every_message_the_parts_say_is_in_both_catalogues():
    used = set()
    for piece in PIECES:
        used |= set(re.findall(r'say\("(kernel\.[a-z0-9_.]+)"', (HERE / f"{piece}.py").read_text(encoding="utf-8")))
    assert len(used) > 30
    for lang in ("pt", "en"):
        assert not used - set(load_catalogue(lang).messages), lang


def test_the_text_runs_alone_in_the_language_it_is_shipped_in():
    for lang, expected in (("pt", "não funciona no ambiente de correção"), ("en", "does not work in the grading")):
        namespace = {"__name__": "grader_kernel_compat"}
        exec(compile(kernel_source(lang), "<grader-compat>", "exec"), namespace)
        assert expected in namespace["UPLOAD_ERROR"] and callable(namespace["install_compat"])
        lines = namespace["_PackageManagers"](namespace["_Recorder"]()).handle(namespace["parse_command"]("apt install x"))
        assert ("ignored" in lines[0]) == (lang == "en")


def test_every_message_renders_with_the_parameters_its_callers_give():
    """``say("kernel.keras2.compile_list", key=..., value=...)`` raised TypeError in the kernel (r13's compile)."""
    calls = []
    for piece in PIECES:
        text = (HERE / f"{piece}.py").read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say" and node.args:
                calls.append((node.args[0].value, [k.arg for k in node.keywords]))
    assert len(calls) > 30
    namespace = {"__name__": "grader_kernel_compat"}
    exec(compile(kernel_source(), "<grader-compat>", "exec"), namespace)
    for message, names in calls:
        text = namespace["say"](message, **{name: "x" for name in names})
        assert not text.startswith("["), (message, text)
