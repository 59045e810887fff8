"""Solution regions in one code cell: what the handout and the reference get, and bad markers."""

from __future__ import annotations

import pytest

from grader.assign.regions import CODE_PLACEHOLDER, MarkerProblem, split_code


def lines(*rows: str) -> str:
    return "\n".join(rows)


def test_a_region_becomes_the_placeholder_and_the_reference_keeps_its_lines():
    split = split_code(lines("x = 1", "### BEGIN SOLUTION", "y = x + 1", "print(y)", "### END SOLUTION", "z = 3"))
    assert split.handout == lines("x = 1", CODE_PLACEHOLDER, "z = 3")
    assert split.reference == lines("x = 1", "y = x + 1", "print(y)", "z = 3")
    assert split.regions == 1 and split.prompted


def test_an_indented_region_keeps_its_indentation_and_gets_pass_so_the_handout_runs():
    split = split_code(lines("def relu(x):", "    ### BEGIN SOLUTION", "    return max(0, x)", "    ### END SOLUTION"))
    assert split.handout == lines("def relu(x):", "    # Seu código aqui", "    pass")
    assert split.reference == lines("def relu(x):", "    return max(0, x)")
    compile(split.handout, "handout", "exec")


def test_a_hint_after_the_marker_goes_into_the_placeholder():
    split = split_code(lines("### BEGIN SOLUTION: construa a LeNet-5", "lenet5 = None", "### END SOLUTION"))
    assert split.handout == "# Seu código aqui: construa a LeNet-5"


def test_no_prompt_regions_vanish_and_prompt_lines_are_uncommented_for_the_handout():
    split = split_code(lines("### BEGIN PROMPT", "# saida = None", "#", "    # total = None  # comentário",
                             "### END PROMPT", "### BEGIN SOLUTION NO PROMPT", "saida = 1", "### END SOLUTION"))
    assert split.handout == lines("saida = None", "", "    total = None  # comentário")
    assert split.reference == "saida = 1"
    assert split.regions == 1 and split.prompted


def test_a_cell_that_is_only_a_no_prompt_region_leaves_nothing_in_the_handout():
    split = split_code(lines("### BEGIN SOLUTION NO PROMPT", "variante = 2", "### END SOLUTION"))
    assert (split.handout, split.reference, split.prompted) == ("", "variante = 2", False)


def test_a_cell_without_markers_is_the_same_in_both():
    split = split_code("import numpy as np\n")
    assert split.handout == split.reference == "import numpy as np\n" and split.regions == 0


@pytest.mark.parametrize("source, key, line", [
    (lines("### BEGIN SOLUTION", "### BEGIN SOLUTION", "### END SOLUTION"), "usage.assign.nested", 2),
    (lines("### BEGIN SOLUTION", "### BEGIN PROMPT", "### END PROMPT"), "usage.assign.nested", 2),
    (lines("x = 1", "### END SOLUTION"), "usage.assign.unopened", 2),
    (lines("### BEGIN PROMPT", "# x = 1", "### END SOLUTION"), "usage.assign.unopened", 3),
    (lines("x = 1", "### BEGIN SOLUTION", "y = 2"), "usage.assign.unclosed", 2),
    (lines("# BEGIN SOLUTION", "y = 2", "# END SOLUTION"), "usage.assign.unknown_marker", 1),
    (lines("### BEGIN SOLUTIONS", "y = 2", "### END SOLUTION"), "usage.assign.unknown_marker", 1),
    (lines("### begin solution", "y = 2", "### end solution"), "usage.assign.unknown_marker", 1),
    (lines("### BEGIN PROMPT", "x = None", "### END PROMPT"), "usage.assign.prompt_not_comment", 2),
])
def test_unreadable_markers_name_the_problem_and_the_line(source, key, line):
    with pytest.raises(MarkerProblem) as problem:
        split_code(source)
    assert (problem.value.key, problem.value.line) == (key, line)


def test_code_that_only_mentions_solution_words_is_not_a_marker():
    split = split_code(lines("begin_solution = 'END SOLUTION'", "print(begin_solution)"))
    assert split.regions == 0 and split.handout == split.reference
