"""The run's similarity summary says why each pair is listed, not only how many there are."""

from __future__ import annotations

from pathlib import Path

from grader.messages import load_catalogue
from grader.similarity.command import announce
from grader.similarity.findings import SimilarityFindings, SimilarPair, StreamMatch
from grader.similarity.settings import SimilaritySettings


def test_the_summary_names_each_pair_with_what_it_shares_and_says_what_a_pair_means(capsys):
    code = StreamMatch(share_a=0.87, share_b=0.8, tokens_a=400, tokens_b=430, longest=152)
    findings = SimilarityFindings(SimilaritySettings(), {"01-correta": "a", "02-lenet": "b", "03-filtros": "c"},
                                  (SimilarPair("01-correta", "02-lenet", code=code, flagged_by=("code",)),))
    announce(findings, Path("out/similarity.html"), load_catalogue("pt"))
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Submissões parecidas: 1 pares entre 3 entregas comparadas (out/similarity.html)"
    assert lines[1] == "  01-correta e 02-lenet: 87% do código próprio em comum (trecho mais longo: 152 tokens)"
    assert lines[2].startswith("Um par aparece quando boa parte do que os dois escreveram além do enunciado")
