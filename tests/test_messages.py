"""Message catalogues: lookup by key, numbers in the reader's locale, both languages complete."""

from __future__ import annotations

import string

import pytest

from grader.errors import UsageError
from grader.messages import Catalogue, load_catalogue


@pytest.fixture(scope="module")
def pt():
    return load_catalogue("pt")


@pytest.fixture(scope="module")
def en():
    return load_catalogue("en")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_pt_groups_thousands_with_dots(pt):
    assert pt.number(72_000_100) == "72.000.100"
    assert pt.number(999) == "999"


def test_pt_uses_a_decimal_comma(pt):
    assert pt.number(0.85) == "0,85"
    assert pt.number(1234.5, ",.1f") == "1.234,5"


def test_pt_percentages(pt):
    assert pt.number(0.853, ".1%") == "85,3%"
    assert pt.number(0.85, ".0%") == "85%"


def test_en_groups_thousands_with_commas(en):
    assert en.number(72_000_100) == "72,000,100"
    assert en.number(0.85) == "0.85"
    assert en.number(0.853, ".1%") == "85.3%"


def test_booleans_are_not_numbers(pt):
    assert pt.number(True) == "True"


def test_render_formats_params_in_the_locale(pt, en):
    assert pt.render("cli.check.total", {"score": 17.5, "max_score": 20}) == "Nota: 17,5 de 20"
    assert en("cli.check.total", score=17.5, max_score=20) == "Score: 17.5 of 20"


def test_render_percent_placeholders(pt):
    text = pt.render("accuracy.passed", {"accuracy": 0.8731, "threshold": 0.85})
    assert "87,3%" in text and "85%" in text


def test_unknown_key_is_rendered_visibly(pt):
    text = pt.render("no.such.key", {"x": 1})
    assert text.startswith("[no.such.key]") and "'x': 1" in text


def test_missing_placeholder_is_rendered_visibly(pt):
    text = pt.render("cli.check.total", {"score": 1})
    assert text.startswith("[cli.check.total:") and "max_score" in text


@pytest.mark.parametrize("lang, code", [("pt", "pt_BR"), ("pt-BR", "pt_BR"), ("pt_BR", "pt_BR"), ("en", "en")])
def test_language_aliases(lang, code):
    catalogue = load_catalogue(lang)
    assert isinstance(catalogue, Catalogue) and catalogue.lang == code


def test_unknown_language_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown language 'fr'"):
        load_catalogue("fr")


def test_catalogues_have_the_same_keys(pt, en):
    assert sorted(set(pt.messages) - set(en.messages)) == []
    assert sorted(set(en.messages) - set(pt.messages)) == []


def test_catalogues_have_the_same_placeholders_per_key(pt, en):
    differ = [k for k in pt.messages if k in en.messages and fields(pt.messages[k]) != fields(en.messages[k])]
    assert differ == []


def test_every_template_parses(pt, en):
    for catalogue in (pt, en):
        for key, template in catalogue.messages.items():
            list(string.Formatter().parse(template))  # raises ValueError on a stray brace
            assert template.strip(), f"{catalogue.lang}: {key} is empty"


def test_lists_of_numbers_never_use_the_decimal_separator_between_items(pt, en):
    from grader.report.common import Formatter

    assert Formatter(pt).value([4.3, 5, 3.4, 4.6]) == "[4,3; 5; 3,4; 4,6]"
    assert Formatter(en).value([4.3, 5, 3.4, 4.6]) == "[4.3, 5, 3.4, 4.6]"
    assert pt.number([4.3, 5]) == "[4,3; 5]"


def test_a_phrase_is_rendered_in_the_same_language_with_its_numbers(pt):
    from grader.messages import Phrase

    phrase = Phrase("answer_text.contradiction_number", {"value": 48000100})
    assert pt.render("answer_text.contradicted", {"contradiction": [phrase]}) == (
        "A resposta contradiz o resultado esperado: você escreveu 48.000.100, um número que não é o esperado.")


def test_lists_of_integers_keep_their_commas(pt):
    from grader.report.common import Formatter

    assert Formatter(pt).value([2, 2]) == "[2, 2]" and pt.number([3, 12000]) == "[3, 12.000]"
