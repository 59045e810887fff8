"""``OUT/similarity.html`` and ``OUT/similarity.csv``: the pairs a teacher may want to read.

Rendering is pure (HTML text from findings); :mod:`grader.similarity.command` writes the files.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Mapping

from grader.export.csv import format_number
from grader.messages import Catalogue
from grader.report.common import Formatter, render_page
from grader.similarity.findings import CODE, TEXT, SimilarityFindings
from grader.similarity_settings import SimilaritySettings

CSV_COLUMNS = ("submission_a", "submission_b", "flagged_by",
               "code_share_a", "code_share_b", "code_tokens", "code_longest",
               "text_share_a", "text_share_b", "text_chars", "text_longest")


def render_similarity_page(findings: SimilarityFindings, catalogue: Catalogue, *, title: str,
                           reports: Mapping[str, str]) -> str:
    """The flagged pairs, most similar first, each with both students' shared fragments side by side.

    ``reports`` maps submission ids to their instructor's view, relative to OUT.
    """
    settings: SimilaritySettings = findings.settings
    return render_page(
        "similarity.html.j2", Formatter(catalogue),
        title=title,
        findings=findings,
        pairs=[p for p in findings.flagged if p.detailed],
        listed=[p for p in findings.flagged if not p.detailed],
        settings=settings,
        reports=reports,
        compared=len(findings.compared),
        scored=len(findings.pairs),
        streams=(CODE, TEXT),
    )


def write_similarity_csv(findings: SimilarityFindings, path: Path) -> None:
    """Every pair that shares fingerprints, flagged first; shares as fractions (0.8125), dot decimals."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for pair in findings.pairs:
            row = [pair.a, pair.b, ";".join(pair.flagged_by)]
            for match in (pair.code, pair.text):
                row += (["", "", "", ""] if match is None else
                        [format_number(match.share_a), format_number(match.share_b), str(match.tokens),
                         str(match.longest)])
            writer.writerow(row)
