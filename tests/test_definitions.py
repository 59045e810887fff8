"""What the judge process loads from a notebook: its definitions only."""

from __future__ import annotations

import ast

from grader.definitions import definitions_source


def test_only_imports_classes_functions_and_literal_constants_are_kept():
    cells = [
        "!pip install -q tensorflow\n%matplotlib inline\nimport numpy as np\nfrom tensorflow import keras",
        "(x_train, y_train), _ = keras.datasets.fashion_mnist.load_data()\nN_CLASSES = 10\nshape = x_train.shape",
        "class LeNet(keras.Model):\n    def call(self, x):\n        return x\n\nmodel = LeNet()\nmodel.fit(x_train, y_train)",
        "def helper(x):\n    return x * 2\nprint(helper(2))",
        "this is not python (",
    ]
    source = definitions_source(cells)
    tree = ast.parse(source)
    kinds = [type(node).__name__ for node in tree.body]
    assert kinds == ["Import", "ImportFrom", "Assign", "ClassDef", "FunctionDef"]
    assert "load_data" not in source and "fit(" not in source and "print" not in source and "pip" not in source
    assert "N_CLASSES = 10" in source
