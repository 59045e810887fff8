"""Generating an assignment's notebooks: shared cell ids, filled copies, added cells."""

from __future__ import annotations

import nbformat
import pytest

from grader.authoring import code, fill, md, write_assignment

TEMPLATE = (md("intro", "# T"), code("c1", "# Seu código aqui"), md("r1", "**Sua resposta aqui:**", "resposta:p1"))


def test_fill_replaces_sources_and_inserts_extra_cells():
    cells = fill(TEMPLATE, {"c1": ("x = 1", "y = 2")})
    assert [c.id for c in cells] == ["intro", "c1", "c1-1", "r1"]
    assert cells[1].source == "x = 1" and cells[2].kind == "code"
    with pytest.raises(KeyError):
        fill(TEMPLATE, {"nope": "x"})


def test_write_assignment_writes_template_reference_and_examples(tmp_path):
    write_assignment(TEMPLATE, {"c1": "x = 1"}, {"01-ok": lambda: {"c1": "x = 2"}, "02-template": dict},
                     template_file=tmp_path / "t.ipynb", reference_file=tmp_path / "ref" / "t.ipynb",
                     examples_dir=tmp_path / "examples")
    template = nbformat.read(tmp_path / "t.ipynb", 4)
    reference = nbformat.read(tmp_path / "ref" / "t.ipynb", 4)
    example = nbformat.read(tmp_path / "examples" / "01-ok.ipynb", 4)
    untouched = nbformat.read(tmp_path / "examples" / "02-template.ipynb", 4)
    assert [c.id for c in reference.cells] == [c.id for c in template.cells] == ["intro", "c1", "r1"]
    assert reference.cells[1].source == "x = 1" and example.cells[1].source == "x = 2"
    assert untouched == template and template.cells[2].metadata["tags"] == ["resposta:p1"]
