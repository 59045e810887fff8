"""Variables a kernel exported reach facts.json bounded: a 30 MB array cannot fill the store."""

from grader.inspect import MAX_VALUE_BYTES, _bounded_values


def test_small_values_are_kept_and_a_huge_one_left_out():
    huge = [0.5] * (MAX_VALUE_BYTES // 4)
    kept = _bounded_values({"tn": 812, "matriz": [[1, 2], [3, 4]], "enorme": huge})
    assert kept == {"tn": 812, "matriz": [[1, 2], [3, 4]]}


def test_anything_but_a_mapping_of_names_gives_nothing():
    assert _bounded_values([1, 2]) == {} and _bounded_values(None) == {}
    assert _bounded_values({"x" * 500: 1}) == {}
