"""``executes``: the section's cells ran without error."""

import pytest

from grader.checks.executes import check_executes


def _run(make, cells, sections=("desafio-1",)):
    student = make.notebook(*(make.section(s) for s in sections), cells=cells)
    return check_executes(student, make.notebook(), make.spec("executes", "desafio-1"))


def test_passes_when_every_cell_is_ok(make, render):
    outcome = _run(make, [make.cell(3), make.cell(4), make.cell(9, sid="desafio-2", status="error")])
    assert outcome.status == "passed" and outcome.fraction == 1.0
    assert render(outcome, "pt") == "As células desta seção rodaram sem erros (2 no total)."


def test_names_the_first_failing_cell(make, render):
    cells = [
        make.cell(3),
        make.cell(4, status="error", ename="ValueError", evalue="Input 0 is incompatible"),
        make.cell(5, status="timeout"),
    ]
    outcome = _run(make, cells)
    assert outcome.status == "failed" and outcome.fraction == 0.0
    assert render(outcome, "pt") == (
        "A célula 5 do notebook (2ª desta seção) terminou com erro: ValueError: Input 0 is incompatible"
    )
    assert render(outcome, "en") == (
        "Cell 5 of the notebook (no. 2 in this section) ended with an error: ValueError: Input 0 is incompatible"
    )
    assert [c["index"] for c in outcome.details["cells"]] == [4, 5]


@pytest.mark.parametrize(
    "status, key, words",
    [
        ("timeout", "executes.cell_timeout", "tempo limite"),
        ("skipped", "executes.cell_skipped", "tempo total do notebook se esgotou"),
        ("not_run", "executes.cell_not_run", "nem chegou a rodar"),
    ],
)
def test_other_statuses_fail_with_their_own_message(make, render, status, key, words):
    outcome = _run(make, [make.cell(0), make.cell(1, status=status)])
    assert (outcome.status, outcome.message) == ("failed", key)
    assert words in render(outcome, "pt")


def test_missing_heading_fails(make, render):
    outcome = _run(make, [], sections=())
    assert outcome.message == "executes.section_missing"
    assert "título da seção “desafio-1”" in render(outcome, "pt")
    assert "heading of section “desafio-1” was not found" in render(outcome, "en")


def test_section_without_cells_fails(make):
    assert _run(make, []).message == "executes.no_cells"


def test_untouched_section_earns_nothing_even_when_it_runs(make, render):
    student = make.notebook(make.section("desafio-1", attempted=False), cells=[make.cell(3)])
    outcome = check_executes(student, make.notebook(), make.spec("executes", "desafio-1"))
    assert (outcome.status, outcome.fraction) == ("failed", 0.0)
    assert "ainda não foi respondida" in render(outcome, "pt")
    assert "has not been answered yet" in render(outcome, "en")


def test_a_crashed_kernel_is_explained_in_plain_words(make, render):
    student = make.notebook(make.section("desafio-1"),
                            cells=[make.cell(3, status="error", ename="KernelDied", evalue="the kernel died")])
    outcome = check_executes(student, make.notebook(), make.spec("executes", "desafio-1"))
    assert outcome.message == "executes.kernel_died"
    assert "derrubou o kernel" in render(outcome, "pt") and "crashed the kernel" in render(outcome, "en")


def test_a_cell_the_spec_excludes_does_not_fail_the_section(make):
    outcome = _run(make, [make.cell(3), make.cell(4, status="excluded"), make.cell(5)])
    assert outcome.status == "passed"
    assert _run(make, [make.cell(4, status="excluded"), make.cell(5, status="skipped")]).status == "failed"
