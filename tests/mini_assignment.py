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

# The same assignment without a framework: "params" is a NumPy array's value, the answer states its
# size (320). For the tests of the run's mechanics (resume, Ctrl-C, copies, decisions, Dask), whose
# kernels need not pay for importing TensorFlow; the same check ids and the same scores (ana 3, bia 1).
NUMPY_SPEC = (SPEC.replace('kind = "model_params"\npoints = 1\nreference_model = "m"',
                           'kind = "value"\npoints = 1\nvariable = "m"\nreference_variable = "m"')
              .replace('numbers_from_models = ["m"]', 'numbers = [320]'))
NUMPY_MODEL = "m = np.ones(({units}, 10))"

MODEL = ("m = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense({units}), "
         "layers.Dense(10, activation='softmax')])")


def mini_notebook(code: str, answer: str, numpy: bool = False):
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Mini"),
        v4.new_code_cell("import numpy as np" if numpy else "import keras\nfrom keras import layers"),
        v4.new_markdown_cell("## Desafio 1"),
        v4.new_code_cell(code),
        v4.new_markdown_cell(answer, metadata={"tags": ["resposta:d1"]}),
    ], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})


def build_mini(root: Path, numpy: bool = False) -> tuple[Path, Path]:
    """Write assignments/mini + reference/mini.ipynb under ``root``; returns (assignments, submissions).

    ``numpy``: the framework-free variant (:data:`NUMPY_SPEC`): the same checks, ana right, bia wrong.
    """
    folder = root / "assignments" / "mini"
    folder.mkdir(parents=True)
    (root / "reference").mkdir()
    (folder / "assignment.toml").write_text(NUMPY_SPEC if numpy else SPEC, encoding="utf-8")
    model, answers = (NUMPY_MODEL, ("São 320 valores.", "320 valores", "160")) if numpy else \
        (MODEL, ("São 25.450 parâmetros.", "25,450 parâmetros", "12.730"))
    nbformat.write(mini_notebook("# Seu código aqui\npass", "**Sua resposta aqui:**", numpy), str(folder / "mini.ipynb"))
    nbformat.write(mini_notebook(model.format(units=32), answers[0], numpy), str(root / "reference" / "mini.ipynb"))
    subs = root / "subs"
    subs.mkdir()
    nbformat.write(mini_notebook(model.format(units=32), answers[1], numpy), str(subs / "ana.ipynb"))
    nbformat.write(mini_notebook(model.format(units=16), answers[2], numpy), str(subs / "bia.ipynb"))
    return root / "assignments", subs
