"""Answer-text helpers: normalization, keywords, contradictions, numbers."""

import pytest

from grader.checks.text import (
    find_contradictions,
    find_keyword,
    normalize,
    parse_number,
    parse_numbers,
    states_number,
    unexpected_large_numbers,
)


def test_normalize_strips_accents_case_and_spaces():
    assert normalize("  Não   há\nPESOS ") == "nao ha pesos"


@pytest.mark.parametrize(
    "text, number",
    [
        ("o MLP tem 72.000.100 parâmetros", 72_000_100),
        ("o MLP tem 72,000,100 parâmetros", 72_000_100),
        ("o MLP tem 72 000 100 parâmetros", 72_000_100),
        ("o MLP tem 72\u00a0000\u00a0100 parâmetros", 72_000_100),
        ("o MLP tem 72000100 parâmetros.", 72_000_100),
        ("a CNN tem 2.800", 2800),
        ("a CNN tem 2,800", 2800),
        ("acurácia de 0,85", 0.85),
        ("accuracy of 0.85", 0.85),
        ("total: 61.706,0", 61706),
        ("total: 61,706.0", 61706),
    ],
)
def test_numbers_are_read_in_both_conventions(text, number):
    assert states_number(parse_numbers(text), number)


def test_ambiguous_separator_gives_both_readings():
    assert parse_numbers("2.800") == [(2.8, 2800.0)]
    assert parse_numbers("1.5") == [(1.5,)]
    assert parse_numbers("1.2.3") == []


def test_parse_number_accepts_only_one_number():
    assert parse_number("0,85") == 0.85
    assert parse_number("-3") == -3.0
    assert parse_number("3 e 4") is None


def test_keyword_is_a_prefix_at_a_word_boundary():
    assert find_keyword("Os pesos são compartilhados", ["compartilh"]) == "compartilh"
    assert find_keyword("descompartilhado", ["compartilh"]) is None
    assert find_keyword("usa os  MESMOS\npesos", ["mesmos pesos"]) == "mesmos pesos"
    assert find_keyword("It doesn’t learn", ["doesn't learn"]) == "doesn't learn"


def test_contradictions_are_whole_words_and_not_negated():
    assert find_contradictions("Sim, aumenta.", ["sim", "aumenta"]) == ["sim", "aumenta"]
    assert find_contradictions("Não aumenta nem diminui", ["aumenta", "diminui"]) == []
    assert find_contradictions("aumentado", ["aumenta"]) == []
    assert find_contradictions("It does not change. It changed.", ["changed"]) == ["changed"]


def test_unexpected_large_numbers_ignore_expected_and_small_ones():
    stated = parse_numbers("tem 61.706 e não 12.345, com 6 filtros")
    assert unexpected_large_numbers(stated, [61706]) == [12345.0]
