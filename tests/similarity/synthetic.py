"""Synthetic submissions built from the real examples: a copy disguised the way students disguise one.

``disguise`` renames every name the student's own code binds, rewrites every comment and
reorders the student's code cells (each one keeps its id); the tests check that such a copy
is still flagged, and ``benchmarks/similarity.py`` makes a class of them.
"""

from __future__ import annotations

import ast
import copy
import io
import keyword
import random
import tokenize
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("cnn-pratica", "mlp-multiclasse-binaria", "relu-exercicios", "treinamento-redes")


def handout_path(assignment: str) -> Path:
    return ROOT / "assignments" / assignment / f"{assignment}.ipynb"


def example_paths(assignment: str) -> list[Path]:
    return sorted((ROOT / "assignments" / assignment / "examples").glob("*.ipynb"))


def read(path: Path):
    return nbformat.read(path, as_version=4)


def bound_names(source: str) -> set[str]:
    """Names a cell binds: assignment and loop targets, functions, their parameters, imports' aliases."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    # a method's name (Keras calls ``call``) and ``self`` are what no student renames
    methods = {f.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for f in c.body
               if isinstance(f, ast.FunctionDef)}
    return {n for n in names - methods - {"self", "cls"} if not keyword.iskeyword(n) and not n.startswith("_")}


def rewrite(source: str, renames: dict[str, str], comment: str) -> str:
    """``source`` with names renamed and every comment replaced by ``comment``."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    out = []
    for tok in tokens:
        if tok.type == tokenize.NAME and tok.string in renames:
            tok = tok._replace(string=renames[tok.string])
        elif tok.type == tokenize.COMMENT:
            tok = tok._replace(string=f"# {comment}")
        out.append(tok)
    return tokenize.untokenize(out)


def disguise(notebook, handout, seed: int = 0):
    """A copy of ``notebook`` with renamed variables, rewritten comments and its own code cells reordered.

    Names the handout itself uses (the variables the grader reads) are kept, as a student who
    wants the points would keep them; every other name the student bound gets a new one.
    """
    rng = random.Random(seed)
    nb = copy.deepcopy(notebook)
    given = {c.get("id"): c.source for c in handout.cells}
    handout_names = {n for c in handout.cells if c.cell_type == "code" for n in _all_names(c.source)}
    own = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source != given.get(c.get("id"))]
    names = sorted({n for i in own for n in bound_names(nb.cells[i].source)} - handout_names)
    renames = {n: f"{n[:1]}{rng.randrange(10**6)}_v{seed}" for n in names}
    for n, i in enumerate(own):
        nb.cells[i].source = rewrite(nb.cells[i].source, renames, f"passo {n} (seed {seed})")
    cells = [nb.cells[i] for i in own]
    rng.shuffle(cells)
    for i, cell in zip(own, cells):
        nb.cells[i] = cell
    return nb


def _all_names(source: str) -> set[str]:
    try:
        return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set()


def fill_handout_with(handout, lines: dict[int, str]):
    """The handout with the code cells at these indices replaced by the given one-liners."""
    nb = copy.deepcopy(handout)
    for index, line in lines.items():
        nb.cells[index].source = line
    return nb
