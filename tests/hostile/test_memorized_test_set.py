"""Issue 18: accuracy without learning. A model made of built-in Keras layers whose weights hold
the test images (a nearest-neighbour lookup on the Fashion-MNIST test set, with a
BatchNormalization and a Dropout for a bonus that asks for them) scored 1.0, ``passed``.

Graded end to end (a real kernel, no training: the weights are set with ``set_weights`` from the
test set the kernel reads through ``keras.datasets.fashion_mnist.load_data()``), its accuracy
check now goes to ``review`` with its points held, naming both numbers: the accuracy on the test
set and on the grader's transformed copy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from grader.run import run

pytestmark = pytest.mark.kernel
v4 = nbformat.v4

SPEC = """
[assignment]
id = "bonus-mini"
title = "Bônus mini"

[execution]
cell_timeout = 120
total_timeout = 300

[[sections]]
id = "bonus"
title = "Bônus: Batch Normalization e Dropout"
heading = '(?i)batch\\s*normaliz'
bonus = false

[[checks]]
id = "estrutura"
section = "bonus"
kind = "model_structure"
points = 1
mode = "contains"
layers = ["BatchNormalization", "Dropout"]

[[checks]]
id = "acuracia"
section = "bonus"
kind = "accuracy"
points = 1
threshold = 0.85
bands = [[0.80, 0.5]]
contains = ["BatchNormalization", "Dropout"]
"""

IMPORTS = "import numpy as np\nimport keras\nfrom keras import layers"
# Untrained: the reference only needs the layers (a ``contains`` check, a literal threshold).
REFERENCE = """modelo = keras.Sequential([
    keras.Input((28, 28, 1)), layers.Conv2D(6, 5), layers.BatchNormalization(), layers.Activation("relu"),
    layers.Flatten(), layers.Dropout(0.2), layers.Dense(10, activation="softmax"),
])"""
# The lookup: each test image, 2×2-averaged and normalized, is a unit of a Dense(10000)
# (1.96 M parameters: under the export limit); a sharp softmax picks the closest, and a
# Dense(10) maps it to its label. BatchNormalization starts as the identity, Dropout does
# nothing at inference: both are there for the check that asks for them.
MEMORIZER = """(x_treino, y_treino), (x_teste, y_teste) = keras.datasets.fashion_mnist.load_data()

modelo_melhorado = keras.Sequential([
    keras.Input((28, 28, 1)),
    layers.AveragePooling2D(2),
    layers.Flatten(),
    layers.BatchNormalization(),
    layers.Dropout(0.2),
    layers.Dense(10000, activation="softmax"),
    layers.Dense(10, activation="softmax"),
])
chaves = x_teste.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(x_teste), -1).astype("float32")
chaves /= np.linalg.norm(chaves, axis=1, keepdims=True)
modelo_melhorado.layers[-2].set_weights([chaves.T * 1000, np.zeros(len(chaves), "float32")])
modelo_melhorado.layers[-1].set_weights([np.eye(10, dtype="float32")[y_teste] * 10, np.zeros(10, "float32")])
previsto = modelo_melhorado.predict(x_teste[:500, ..., None] / 255.0, verbose=0).argmax(axis=1)
print("Acurácia no teste:", (previsto == y_teste[:500]).mean())"""


def _notebook(code: str):
    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Bônus mini"),
        v4.new_code_cell(IMPORTS),
        v4.new_markdown_cell("## Batch Normalization e Dropout"),
        v4.new_code_cell(code),
    ], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})


@pytest.fixture(scope="module")
def graded(tmp_path_factory, dataset_dir) -> dict:
    root = tmp_path_factory.mktemp("memorized")
    folder = root / "assignments" / "bonus-mini"
    folder.mkdir(parents=True)
    (root / "reference").mkdir()
    (folder / "assignment.toml").write_text(SPEC, encoding="utf-8")
    nbformat.write(_notebook("# Seu código aqui\npass"), str(folder / "bonus-mini.ipynb"))
    nbformat.write(_notebook(REFERENCE), str(root / "reference" / "bonus-mini.ipynb"))
    subs = root / "subs"
    subs.mkdir()
    nbformat.write(_notebook(MEMORIZER), str(subs / "busca.ipynb"))
    run(submissions=subs, assignment="bonus-mini", assignments_dir=root / "assignments", out=root / "out", jobs=2,
        no_store=True, data_dir=dataset_dir, similarity=False)
    results = json.loads((root / "out" / "results.json").read_text(encoding="utf-8"))
    return {"submission": results["submissions"][0], "out": root / "out"}


def test_a_model_holding_the_test_images_goes_to_review_with_its_points_held(graded):
    checks = {c["id"]: c for c in graded["submission"]["checks"]}
    assert checks["estrutura"]["status"] == "passed"  # it does hold the layers asked for
    accuracy = checks["acuracia"]
    assert accuracy["status"] == "review" and accuracy["score"] == 0
    assert accuracy["actual"] == 1.0  # a lookup: every test image right
    assert accuracy["message"].startswith("Desempenho implausível: acurácia de 100,0% no conjunto de teste")
    copy = re.search(r"a acurácia foi de (\d+),\d%", accuracy["message"])
    assert copy is not None and 60 <= int(copy.group(1)) <= 95, accuracy["message"]  # a nearest neighbour's
    assert any(item["check"] == "acuracia" for item in graded["submission"]["review"])


def test_the_evaluation_keeps_both_numbers_and_a_ten_class_matrix(graded):
    facts = json.loads((graded["out"] / "busca" / "facts.json").read_text(encoding="utf-8"))
    evaluation = facts["sections"][0]["models"][0]["evaluations"][0]
    assert evaluation["accuracy"] == 1.0 and evaluation["transformed_samples"] == 2000
    assert evaluation["transformed_clean_accuracy"] == 1.0 and evaluation["transformed_accuracy"] < 0.95
    assert len(evaluation["confusion"]) == 10
