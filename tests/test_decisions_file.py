"""A malformed decisions.toml is a usage error naming the decision and what is wrong, in the run's language."""

from __future__ import annotations

import pytest

from grader.decisions import load_decisions
from grader.errors import UsageError
from grader.messages import load_catalogue

GOOD = 'submission = "ana"\ncheck = "params"\ncomment = "ok"\n'


@pytest.mark.parametrize("body, english, portuguese", [
    (GOOD + "points = -1\n", "points = -1: not a number of points", "não é um número de pontos"),
    (GOOD + "pontos = 1\n", "unknown key(s) pontos", "chave(s) desconhecida(s): pontos"),
    ('check = "params"\ncomment = "ok"\n', "'submission' is missing", "falta 'submission'"),
    ('submission = "ana"\ncomment = "ok"\n', "give either 'check' or 'item'", "dê 'check' ou 'item'"),
    ('submission = "ana"\ncheck = "params"\n', "'comment' is missing", "falta 'comment'"),
    ('submission = "ana"\nitem = "x"\ncomment = "ok"\npoints = 1\n', "a notebook-level item has no points",
     "um item do notebook inteiro não tem pontos"),
])
def test_each_mistake_is_named_in_english_and_portuguese(tmp_path, body, english, portuguese):
    path = tmp_path / "decisions.toml"
    path.write_text("[[decision]]\n" + GOOD + "\n[[decision]]\n" + body, encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_decisions(path)
    assert english in str(raised.value) and "#2" in str(raised.value)
    for lang, expected in (("pt", portuguese), ("en", english)):  # one error, shown in either language
        shown = raised.value.render(load_catalogue(lang))
        assert expected in shown and str(path) in shown


def test_a_decision_that_is_not_a_table_of_tables(tmp_path):
    path = tmp_path / "decisions.toml"
    path.write_text('decision = "ana"\n', encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_decisions(path)
    assert "escreva cada decisão como [[decision]]" in raised.value.render(load_catalogue("pt"))
