"""The issue's "done when", on synthetic submissions built from the real examples (no kernel)."""

from __future__ import annotations

import copy

import pytest

from grader.similarity.compare import compare_works
from grader.similarity.extract import Handout, extract_work
from grader.similarity.settings import SimilaritySettings
from tests.similarity.synthetic import (ASSIGNMENTS, bound_names, disguise, example_paths, fill_handout_with,
                                        handout_path, read, rewrite)

DEFAULTS = SimilaritySettings()
# the example each assignment's copy is made from: one with code of its own in every section
SOURCES = {"cnn-pratica": "02-lenet-relu-maxpool-valida", "mlp-multiclasse-binaria": "01-correta",
           "relu-exercicios": "03-conv-com-padding", "treinamento-redes": "01-correta"}


def example(assignment: str, stem: str):
    return read(next(p for p in example_paths(assignment) if p.stem.startswith(stem)))


def compare(assignment: str, notebooks: dict, settings: SimilaritySettings = DEFAULTS):
    handout = Handout.of(read(handout_path(assignment)))
    works = [extract_work(name, nb, handout) for name, nb in notebooks.items()]
    return compare_works(works, handout, settings)


def pair(pairs, a: str, b: str):
    return next((p for p in pairs if {p.a, p.b} == {a, b}), None)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_disguised_copy_is_flagged_against_its_source(assignment):
    source = example(assignment, SOURCES[assignment])
    copy = disguise(source, read(handout_path(assignment)), seed=7)
    assert copy.cells != source.cells  # renamed, commented and ordered otherwise
    found = pair(compare(assignment, {"original": source, "copia": copy}), "original", "copia")
    assert found is not None and "code" in found.flagged_by
    assert found.code.share >= 0.9
    assert found.code.longest >= DEFAULTS.min_run


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_independently_written_correct_solutions_are_not_flagged(assignment):
    first, second = example_paths(assignment)[:2]  # 01-correta and 02-...: written apart
    found = pair(compare(assignment, {"um": read(first), "dois": read(second)}), "um", "dois")
    assert found is None or not found.flagged
    assert found is None or found.code is None or found.code.share < 0.25


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_handouts_are_not_compared_at_all(assignment):
    handout = read(handout_path(assignment))
    template = example(assignment, next(p.stem for p in example_paths(assignment) if "template" in p.stem))
    pairs = compare(assignment, {"a": handout, "b": handout, "t": template, "c": example(assignment, "01")})
    assert pairs == ()


def test_the_same_short_one_liners_in_the_same_cells_are_not_flagged():
    handout = read(handout_path("relu-exercicios"))
    lines = {
        5: "def relu(x):\n    return np.maximum(0, x)\n\n\nsaida_1 = relu(entradas_1)\n"
           "ativos_1 = int(np.sum(saida_1 > 0))\nsoma_1 = float(np.sum(saida_1))",
        8: "from scipy.signal import correlate2d\n\ndef conv2d(imagem, kernel):\n"
           "    return correlate2d(imagem, kernel, mode='valid')\n\n\nmapa_2 = conv2d(imagem_2, kernel_2)\n"
           "mapa_2_relu = relu(mapa_2)",
        13: "ativos_3 = (mapas_3 > 0).sum(axis=(1, 2))\nintensidades_3 = mapas_3.sum(axis=(1, 2))\n"
            "mais_detectada_3 = int(np.argmax(intensidades_3))",
        18: "ativos_4 = (pre_ativacoes_4 > 0).sum(axis=1)\nepoca_morte_4 = epocas_4[int(np.argmax(ativos_4 == 0))]",
    }
    assert all(handout.cells[i].cell_type == "code" for i in lines)
    filled = fill_handout_with(handout, lines)
    found = pair(compare("relu-exercicios", {"ana": filled, "bia": filled}), "ana", "bia")
    assert found.code.share == 1.0  # the same code, all of it short
    assert not found.flagged and found.code.longest < DEFAULTS.min_run


def test_the_handouts_code_never_counts_even_renamed():
    """Two students who only renamed and re-commented the handout's own code share nothing."""
    handout = read(handout_path("relu-exercicios"))

    def renamed(student: str):
        nb = copy.deepcopy(handout)
        for n, cell in enumerate(nb.cells):
            cell.id = f"novo-{n}"  # not the handout's cells any more, and no line as the handout has it
            if cell.cell_type == "code":
                cell.source = rewrite(cell.source, {v: f"{v}_{student}" for v in bound_names(cell.source)}, student)
        return nb

    ana, bia = renamed("ana"), renamed("bia")
    assert ana.cells[5].source != handout.cells[5].source
    pairs = compare("relu-exercicios", {"ana": ana, "bia": bia})
    assert all(p.code is None for p in pairs)


def test_pairs_come_most_similar_first_and_unflagged_ones_keep_no_code():
    assignment = "relu-exercicios"
    source = example(assignment, "03")
    pairs = compare(assignment, {"original": source, "copia": disguise(source, read(handout_path(assignment))),
                                 **{p.stem[:2]: read(p) for p in example_paths(assignment)}})
    flagged = [p for p in pairs if p.flagged]
    assert flagged and pairs[:len(flagged)] == tuple(flagged)
    assert [p.score for p in flagged] == sorted((p.score for p in flagged), reverse=True)
    for p in pairs[len(flagged):]:
        assert all(m is None or m.fragments_a == () and m.longest_a == "" for m in (p.code, p.text))


def test_a_higher_threshold_lists_fewer_pairs():
    assignment = "relu-exercicios"
    notebooks = {p.stem[:2]: read(p) for p in example_paths(assignment)}
    loose = compare(assignment, notebooks, SimilaritySettings(threshold=0.3))
    strict = compare(assignment, notebooks, SimilaritySettings(threshold=0.95, text_threshold=0.95))
    assert sum(p.flagged for p in strict) < sum(p.flagged for p in loose)
