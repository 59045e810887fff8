"""The comparison of a run's notebooks and its files: the last step of ``grader run``, and the work of
``grader similarity OUT`` (:mod:`grader.recompare`).

A notebook that is gone, or changed since it was graded, is listed as not compared rather
than compared in a state the grades do not describe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from grader import console
from grader.errors import NotebookError, UsageError
from grader.failures import describe
from grader.messages import Catalogue
from grader.notebook import load_notebook, sha256_file
from grader.results import SubmissionResult
from grader.similarity.extract import Handout, extract_work
from grader.similarity.findings import PAGE, SimilarityFindings, SkippedSubmission
from grader.similarity.report import render_similarity_page, write_similarity_csv
from grader.similarity.saved import CSV_NAME, save_findings
from grader.similarity_settings import SimilaritySettings
from grader.spec import Assignment
from grader.store import Store

log = logging.getLogger(__name__)
INSTRUCTOR_REPORT = "report-professor.html"  # OUT/<id>/, as grader/outputs.py writes it


@dataclass(frozen=True)
class Notebook:
    """A submission of the run to compare: where its notebook is and the sha256 it was graded with."""

    id: str
    path: Path
    sha256: str | None = None


def read_handout(path: Path) -> Handout:
    try:
        return Handout.of(load_notebook(path))
    except NotebookError as exc:
        raise UsageError(f"cannot read the handout notebook '{path}': {exc}", "usage.handout_unreadable",
                         path=str(path), reason=str(exc)) from None


def _work(notebook: Notebook, handout: Handout):
    """The student's own work, or why it cannot be compared."""
    if not notebook.path.is_file():
        return SkippedSubmission(notebook.id, "missing", str(notebook.path))
    if notebook.sha256 and sha256_file(notebook.path) != notebook.sha256:
        return SkippedSubmission(notebook.id, "changed", str(notebook.path))
    try:
        return extract_work(notebook.id, load_notebook(notebook.path), handout)
    except NotebookError as exc:
        return SkippedSubmission(notebook.id, "unreadable", str(exc))
    except Exception as exc:  # noqa: BLE001 — a notebook nothing else choked on: it alone is not compared
        log.error("cannot compare %s", notebook.id, exc_info=exc)
        return SkippedSubmission(notebook.id, "unreadable", describe(exc))


def compare_notebooks(notebooks: list[Notebook], handout: Handout, settings: SimilaritySettings) -> SimilarityFindings:
    """Every pair of ``notebooks`` compared on the code and the text their students wrote."""
    from grader.similarity.compare import compare_works  # copydetect (and its matplotlib) only when comparing

    started = time.perf_counter()
    works, skipped = [], []
    for notebook in sorted(notebooks, key=lambda n: n.id):
        found = _work(notebook, handout)
        (skipped if isinstance(found, SkippedSubmission) else works).append(found)
    pairs = compare_works(works, handout, settings)
    compared = {n.id: n.sha256 or "" for n in notebooks if n.id not in {s.id for s in skipped}}
    return SimilarityFindings(settings, compared, pairs, tuple(skipped), round(time.perf_counter() - started, 3))


def write_similarity(out: Path, findings: SimilarityFindings, catalogue: Catalogue, title: str) -> Path:
    """``similarity.json`` (for the other pages), ``similarity.html`` and ``similarity.csv`` in ``out``."""
    out = Path(out)
    save_findings(out, findings)
    reports = {sid: f"{sid}/{INSTRUCTOR_REPORT}" for sid in findings.compared}
    page = out / PAGE
    page.write_text(render_similarity_page(findings, catalogue, title=title, reports=reports), encoding="utf-8")
    write_similarity_csv(findings, out / CSV_NAME)
    return page


def findings_key(notebooks: list[Notebook], handout_path: Path, settings: SimilaritySettings) -> str | None:
    """What decides the findings: each notebook's id and sha256, the handout, the settings, the grader.

    None when a notebook has no sha256 (it was not graded): its file decides, so nothing is reused.
    """
    from grader.version import __version__

    if any(not n.sha256 for n in notebooks):
        return None
    blob = json.dumps({"notebooks": sorted((n.id, n.sha256) for n in notebooks),
                       "handout": sha256_file(handout_path), "settings": settings.to_json(),
                       "grader": __version__}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def stored_or_compared(notebooks: list[Notebook], handout_path: Path, settings: SimilaritySettings,
                       store: Store | None) -> SimilarityFindings:
    """The findings of these notebooks: from the store when the same ones were compared before."""
    key = findings_key(notebooks, handout_path, settings) if store is not None else None
    if key is not None and all(n.path.is_file() for n in notebooks):
        saved = store.get_similarity(key)
        if saved is not None:
            try:
                return SimilarityFindings.from_json(saved)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("ignoring stored similarity findings: %s", exc)
    findings = compare_notebooks(notebooks, read_handout(handout_path), settings)
    if key is not None and not findings.skipped:
        store.put_similarity(key, findings.to_json())
    return findings


def compare_run(out: Path, notebooks: list[Notebook], handout_path: Path, settings: SimilaritySettings,
                catalogue: Catalogue, title: str, store: Store | None = None) -> SimilarityFindings:
    """The comparison and its files, as ``grader run`` does it at its end (reused from ``store`` if there)."""
    findings = stored_or_compared(notebooks, handout_path, settings, store)
    page = write_similarity(out, findings, catalogue, title)
    announce(findings, page, catalogue)
    return findings


SHOWN_PAIRS = 5  # pairs the terminal names; the page lists them all


def announce(findings: SimilarityFindings, page: Path, t: Catalogue, say=console.err) -> None:
    """The notebooks not compared (on stderr), then how many pairs and where the page is, in ``t``'s language."""
    for item in findings.skipped:
        console.err(t("cli.similarity.skipped", id=item.id,
                      reason=t(f"similarity.skipped.{item.reason}", detail=item.detail)))
    say(t("cli.similarity.done", flagged=len(findings.flagged), compared=len(findings.compared), page=str(page)))
    for pair in findings.flagged[:SHOWN_PAIRS]:  # why each is listed: how much of their own work they share
        streams = [t(f"cli.similarity.stream.{name}", share=f"{getattr(pair, name).share:.0%}",
                     longest=getattr(pair, name).longest)
                   for name in pair.flagged_by if getattr(pair, name) is not None]
        say(t("cli.similarity.pair", a=pair.a, b=pair.b, why="; ".join(streams)))
    if findings.flagged:
        say(t("cli.similarity.why"))


def notebooks_of(submissions, results: Mapping[str, SubmissionResult]) -> list[Notebook]:
    """``grader run``'s submissions (:class:`grader.discovery.Submission`) with the sha256 each was graded with."""
    return [Notebook(s.id, Path(s.path), results[s.id].sha256 if s.id in results else None) for s in submissions]


def compare_after_run(out: Path, assignment: Assignment, submissions, results: Mapping[str, SubmissionResult], *,
                      catalogue: Catalogue, enabled: bool = True,
                      store: Path | None = None) -> SimilarityFindings | None:
    """The last step of ``grader run``: compare its notebooks (``--no-similarity``: remove old files).

    A problem here never costs the run its grades: it is said in one line and the run goes on.
    """
    from grader.similarity.saved import remove_findings

    if not (enabled and assignment.similarity.enabled):
        remove_findings(out)
        return None
    try:
        return compare_run(out, notebooks_of(submissions, results), assignment.notebook_path,
                           assignment.similarity, catalogue, assignment.title,
                           Store(store) if store is not None else None)
    except UsageError as exc:
        remove_findings(out)
        console.err(catalogue("cli.similarity.failed", reason=exc.render(catalogue)))
        return None
