"""Sealed values: compared like the checks compare plain ones, never readable (no kernel, milliseconds)."""

from __future__ import annotations

import json
import math
import random
import re

import pytest

from grader.checks.structure import Equivalence
from grader.checks.text import find_contradictions, find_keyword, normalize
from grader.kit.sealed import Sealed, SealedKeyword, SealedNumber, Undecidable, decode_hook, new_key
from grader.serial import to_plain

KEY = new_key()


def test_exact_values_compare_by_digest_and_print_nothing():
    sealed = Sealed.of(44426, KEY, "model/x/total")
    assert sealed == 44426 and 44426 == sealed and sealed != 44427
    assert sealed == 44426.0  # an integral float is the same count
    assert Sealed.of([None, 10], KEY, "shape") == (None, 10)
    assert Sealed.of(True, KEY, "b") != 1
    assert str(sealed) == f"{sealed}" == f"{sealed:g}" == "•••"
    token = json.dumps(to_plain(sealed))
    assert "44426" not in token and KEY not in token and not re.search(r"\d{3}", token.split('"digest"')[1])


def test_the_same_value_in_two_places_has_two_digests():
    assert Sealed.of(6, KEY, "a").digest != Sealed.of(6, KEY, "b").digest
    assert Sealed.of(6, KEY, "a").digest != Sealed.of(6, new_key(), "a").digest


def test_a_kit_token_round_trips_with_its_key():
    sealed = SealedNumber.of(2.5, KEY, "v", 1e-6, 1e-9)
    back = json.loads(json.dumps(to_plain({"v": sealed})), object_hook=decode_hook(KEY))["v"]
    assert back.close(2.5, 1e-6, 1e-9) and not back.close(2.6, 1e-6, 1e-9)


def test_integers_within_a_tolerance_are_tried():
    sealed = Sealed.of(72000100, KEY, "n")
    assert sealed.close(72000100.0, 1e-9, 1e-9)
    assert sealed.close(72000100.05, 1e-9, 1e-9) == math.isclose(72000100.05, 72000100, rel_tol=1e-9, abs_tol=1e-9)
    assert not sealed.close(72000101, 1e-9, 1e-9)


@pytest.mark.parametrize("rel_tol, abs_tol", [(1e-6, 1e-9), (1e-6, 1e-6), (1e-9, 1e-9), (0.01, 0.5)])
def test_sealed_numbers_agree_with_isclose_whenever_they_decide(rel_tol, abs_tol):
    rng = random.Random(7)
    decided = 0
    for _ in range(3000):
        want = rng.choice([0.0, rng.uniform(-5, 5), rng.uniform(-1e4, 1e4), rng.uniform(-1e-6, 1e-6)])
        scale = max(rel_tol * abs(want), abs_tol)
        got = want + rng.choice([0.0, 1e-16, -1.0, 1.0]) * rng.uniform(0, 3) * scale * rng.choice([1, 1, 10, 0.1])
        sealed = SealedNumber.of(want, KEY, "x", rel_tol, abs_tol)
        try:
            verdict = sealed.close(got, rel_tol, abs_tol)
        except Undecidable:
            assert 0.5 * scale <= abs(got - want) <= 2.0 * scale * 1.01  # only near the limit
            continue
        decided += 1
        assert verdict == math.isclose(got, want, rel_tol=rel_tol, abs_tol=abs_tol), (want, got)
    assert decided > 2000


def test_a_sealed_number_built_for_other_tolerances_decides_nothing():
    with pytest.raises(Undecidable):
        SealedNumber.of(1.0, KEY, "x", 1e-6, 1e-9).close(1.0, 1e-3, 1e-9)


TEXTS = ["A ReLU não muda os valores positivos", "nao mudou nada; mesmo mapa", "muda-se tudo: mudou",
         "O mapa continua igual. Sem efeito", "desativ... e morre", "Leaky ReLU resolve", "sgd adapta? não"]
KEYWORDS = ["nao muda", "mud", "mudou", "mesm", "igual", "continua", "sem efeito", "morr", "leaky", "sgd adapta",
            "relu", "a"]


@pytest.mark.parametrize("text", TEXTS)
def test_sealed_keywords_match_where_the_plain_ones_do(text):
    sealed = [SealedKeyword.of(normalize(k), KEY, f"k{n}") for n, k in enumerate(KEYWORDS)]
    for plain, hidden in zip(KEYWORDS, sealed):
        assert bool(find_keyword(text, [plain])) == bool(find_keyword(text, [hidden])), plain
        assert bool(find_contradictions(text, [plain])) == bool(find_contradictions(text, [hidden])), plain
    assert "•••" == str(sealed[0])


def test_equivalent_values_are_recognized_through_the_digest():
    eq = Equivalence([["tanh", "relu", "sigmoid"], ["same", "valid"]])
    assert eq.same(Sealed.of("relu", KEY, "act"), "tanh")
    assert eq.same(Sealed.of("relu", KEY, "act"), "relu")
    assert not eq.same(Sealed.of("relu", KEY, "act"), "softmax")
    assert eq.same(Sealed.of((5, 5), KEY, "k"), (5, 5)) and not eq.same(Sealed.of((5, 5), KEY, "k"), (3, 3))
