"""``grader similarity OUT``: compare a finished run's notebooks again and refresh OUT's pages.

Where the notebooks come from: ``OUT/results.json`` says where the submissions are
(``submissions_dir``) and each one's ``path`` and ``sha256``; the handout is the notebook
of the run's own assignment, as ``OUT/.grader/assignment.json`` keeps it (``root`` +
``notebook``). The comparison itself is :mod:`grader.similarity.command`'s, as at the end
of ``grader run``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.messages import load_catalogue
from grader.errors import UsageError
from grader.outputs import load_run_inputs
from grader.rerender import report
from grader.results import RunResults, load_results
from grader.similarity.command import Notebook, announce, compare_notebooks, read_handout, write_similarity
from grader.similarity.findings import SimilarityFindings


@dataclass(frozen=True)
class SimilaritySummary:
    findings: SimilarityFindings
    page: Path

    @property
    def exit_code(self) -> int:
        return 0


def run_notebooks(submissions_dir: str | None, results: RunResults, out: Path) -> list[Notebook]:
    """The run's notebooks as ``results.json`` names them."""
    if not submissions_dir:
        raise UsageError(f"'{out}' does not say where its submissions are: run grader run again",
                         "usage.no_submissions_dir", out=str(out))
    return [Notebook(s.id, Path(submissions_dir) / s.path, s.sha256) for s in results.submissions]


def similarity(*, out: Path, lang: str | None = None) -> SimilaritySummary:
    """``grader similarity OUT``: compare the run's notebooks, write the files, refresh OUT's pages."""
    out = Path(out)
    results = load_results(out)
    catalogue = load_catalogue(lang or results.lang)
    inputs = load_run_inputs(out)
    if inputs is None:
        raise UsageError(f"'{out}' does not keep the run's assignment", "usage.no_snapshot", out=str(out))
    assignment, _ = inputs
    findings = compare_notebooks(run_notebooks(results.submissions_dir, results, out),
                                 read_handout(assignment.notebook_path), assignment.similarity)
    page = write_similarity(out, findings, catalogue, results.assignment.title)
    report(out=out, lang=lang, announce=False)  # the dashboard's link and the instructor's column
    announce(findings, page, catalogue, console.out)
    return SimilaritySummary(findings, page)
