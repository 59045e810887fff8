"""What the kit tests share: building an assignment's kit from a graded run, and what must not leak."""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
from pathlib import Path

from grader.assignments import load as load_assignment
from grader.checks.output_shape import shape_text
from grader.checks.structure import find_reference_models, plain_shape
from grader.checks.text import normalize
from grader.checks.value import lookup_variable
from grader.facts import NotebookFacts
from grader.kit.contents import KitContents, build_contents
from grader.kit.files import write_kit
from grader.kit.sealed import new_key
from grader.outputs import REFERENCE_NAME, RUN_DIR
from tests.e2e.examples import ROOT, hidden_texts

ASSIGNMENTS = ("relu-exercicios", "treinamento-redes", "mlp-multiclasse-binaria", "cnn-pratica")


def run_reference(out: Path) -> NotebookFacts:
    """The reference facts a ``grader run`` kept in OUT."""
    return NotebookFacts.from_json(json.loads((out / RUN_DIR / REFERENCE_NAME).read_text(encoding="utf-8")))


def build_kit(assignment: str, out: Path, folder: Path) -> KitContents:
    spec, _ = load_assignment(assignment)
    contents = build_contents(spec, run_reference(out), new_key())
    write_kit(contents, spec.notebook_path, folder)
    return contents


def kit_texts(folder: Path) -> dict[str, str]:
    """Every file of the kit as text, and every member of any archive in it."""
    texts = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts[str(path.relative_to(folder))] = data.decode("utf-8", errors="replace")
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    texts[f"{path.name}!{name}"] = archive.read(name).decode("utf-8", errors="replace")
    return texts


def _number_texts(value) -> set[str]:
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, (list, tuple)):
        return {t for v in value for t in _number_texts(v)}
    if isinstance(value, dict):
        return {t for v in value.values() for t in _number_texts(v)}
    if isinstance(value, str):
        return {value, normalize(value)}
    forms = {repr(value), f"{value:g}", str(value)}
    if isinstance(value, int) or float(value).is_integer():
        forms |= {f"{int(value):,}", f"{int(value):,}".replace(",", ".")}
    return forms | {f.replace(".", ",") for f in forms if "." in f}


def secret_texts(assignment: str, reference: NotebookFacts) -> set[str]:
    """Text forms of what a kit must not show: hidden inputs, hidden checks, non-revealed expected values."""
    spec, _ = load_assignment(assignment)
    raw = tomllib.loads(Path(spec.spec_path).read_text(encoding="utf-8"))
    secrets = set(hidden_texts(raw))
    for check in spec.checks:
        if check.visibility != "visible":
            secrets |= {check.id} | _number_texts(list(check.params.values()))
            continue
        if check.kind == "answer_text":  # keyword lists are never shown to students
            secrets |= {normalize(w) for group in check.param("any_of", []) for w in group}
            secrets |= {normalize(w) for w in check.param("none_of", [])}
        if check.reveals_expected:
            continue
        names = check.param("reference_model") or check.param("numbers_from_models")
        if names:
            for model in find_reference_models(reference, check.section, [names] if isinstance(names, str) else names):
                secrets |= _number_texts([model.total_params, model.trainable_params, model.non_trainable_params])
                for shape in [model.output_shape] + [layer.output_shape for layer in model.layers]:
                    if shape is not None:
                        secrets |= {shape_text(shape), json.dumps(plain_shape(shape))}
        if check.kind == "value":
            found = ((None, check.params["expected"]) if "expected" in check.params else
                     lookup_variable(reference, check.section, (check.param("reference_variable"),)))
            if found is not None:
                secrets |= _number_texts(found[1]) | {json.dumps(found[1])}
        secrets |= _number_texts(check.param("numbers", []))
    return secrets


def public_text(folder: Path, contents: KitContents) -> str:
    """What students may read anyway: the handout, and what the visible checks reveal in the spec."""
    handout = (folder / contents.assignment.notebook).read_text(encoding="utf-8")
    revealed = [c.params for c in contents.assignment.checks if c.reveals_expected and c.kind != "answer_text"]
    stated = [{k: c.params[k] for k in ("rel_tol", "abs_tol") if k in c.params} for c in contents.assignment.checks]
    ids = [c.id for c in contents.assignment.checks] + [s.id for s in contents.assignment.sections]
    return handout + json.dumps(revealed, default=str) + json.dumps(stated) + json.dumps(ids) + " ".join(
        _keys(json.loads((folder / "kit.json").read_text(encoding="utf-8"))))


def _keys(data) -> set[str]:
    """The kit's field names (``load_error``, ``similarity``): its format, not its content."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def reference_sources(assignment: str) -> list[str]:
    """The reference notebook's cells that the handout does not hold."""
    import nbformat

    spec, _ = load_assignment(assignment)
    handout = {c.source.strip() for c in nbformat.read(spec.notebook_path, as_version=4).cells}
    reference = nbformat.read(spec.reference_path, as_version=4)
    return [c.source.strip() for c in reference.cells if c.source.strip() and c.source.strip() not in handout]


__all__ = ["ASSIGNMENTS", "ROOT", "build_kit", "kit_texts", "public_text", "reference_sources", "run_reference",
           "secret_texts"]
