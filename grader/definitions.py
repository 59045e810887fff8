"""The notebook's definitions, without the rest of its code: what the judge process loads.

A subclassed model (``class LeNet(keras.Model)`` with its own ``call()``) or a custom
layer can only be rebuilt with the student's class. The judge gets the notebook's
imports, class and function definitions and constants with a literal value, in notebook
order; it never runs the cells that load data, train or print.
"""

from __future__ import annotations

import ast
import logging

log = logging.getLogger(__name__)

DEFINITIONS = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _python_source(cell_source: str) -> str:
    """The cell as Python: IPython magics and shell lines (``%``, ``!``) turned into calls or dropped."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(cell_source)
    except (ImportError, SyntaxError, ValueError):  # no IPython here, or a cell it cannot read
        return "\n".join(line for line in cell_source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _is_literal_constant(node: ast.stmt) -> bool:
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
        return False
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if not all(isinstance(t, ast.Name) for t in targets):
        return False
    try:
        ast.literal_eval(node.value)
    except ValueError:
        return False
    return True


def _keep(node: ast.stmt) -> bool:
    return isinstance(node, DEFINITIONS) or _is_literal_constant(node)


def definitions_source(cell_sources: list[str]) -> str:
    """The definitions of the given code cells, as one Python module's source."""
    kept: list[str] = []
    for number, source in enumerate(cell_sources):
        try:
            tree = ast.parse(_python_source(source))
        except SyntaxError:
            continue  # a cell that does not parse defines nothing the judge could use
        for node in tree.body:
            if _keep(node) and not _calls_ipython(node):
                kept.append(f"# cell {number + 1}\n{ast.unparse(node)}")
    return "\n\n".join(kept) + "\n"


def _calls_ipython(node: ast.stmt) -> bool:
    """Shell lines become ``get_ipython().system(...)``: there is no IPython in the judge."""
    return any(isinstance(n, ast.Name) and n.id == "get_ipython" for n in ast.walk(node)
               if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)))
