"""A tiny real assignment built in a temporary folder, for fast end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import nbformat

v4 = nbformat.v4

SPEC = """
[assignment]
id = "mini"
title = "Mini"

[execution]
cell_timeout = 120
total_timeout = 300

[[sections]]
id = "desafio-1"
title = "Desafio 1"
heading = '(?i)desafio\\s*1'

[[checks]]
id = "executa"
section = "desafio-1"
kind = "executes"
points = 1

[[checks]]
id = "params"
section = "desafio-1"
kind = "model_params"
points = 1
reference_model = "m"

[[checks]]
id = "resposta"
section = "desafio-1"
kind = "answer_text"
points = 1
answer = "d1"
numbers_from_models = ["m"]
"""

MODEL = ("m = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense({units}), "
         "layers.Dense(10, activation='softmax')])")


def mini_notebook(code: str, answer: str):
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Mini"),
        v4.new_code_cell("import keras\nfrom keras import layers"),
        v4.new_markdown_cell("## Desafio 1"),
        v4.new_code_cell(code),
        v4.new_markdown_cell(answer, metadata={"tags": ["resposta:d1"]}),
    ], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})


def build_mini(root: Path) -> tuple[Path, Path]:
    """Write assignments/mini + reference/mini.ipynb under ``root``; returns (assignments, submissions)."""
    folder = root / "assignments" / "mini"
    folder.mkdir(parents=True)
    (root / "reference").mkdir()
    (folder / "assignment.toml").write_text(SPEC, encoding="utf-8")
    nbformat.write(mini_notebook("# Seu código aqui\npass", "**Sua resposta aqui:**"), str(folder / "mini.ipynb"))
    nbformat.write(mini_notebook(MODEL.format(units=32), "São 25.450 parâmetros."), str(root / "reference" / "mini.ipynb"))
    subs = root / "subs"
    subs.mkdir()
    nbformat.write(mini_notebook(MODEL.format(units=32), "25,450 parâmetros"), str(subs / "ana.ipynb"))
    nbformat.write(mini_notebook(MODEL.format(units=16), "12.730"), str(subs / "bia.ipynb"))
    return root / "assignments", subs
