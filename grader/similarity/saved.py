"""``OUT/similarity.json``: the findings of a run, read back by the pages that show them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from grader.results import RunResults
from grader.similarity.findings import PAGE, SimilarityFindings

log = logging.getLogger(__name__)

FINDINGS_NAME, CSV_NAME = "similarity.json", "similarity.csv"
FILES = (FINDINGS_NAME, PAGE, CSV_NAME)


def save_findings(out: Path, findings: SimilarityFindings) -> Path:
    path = Path(out) / FINDINGS_NAME
    path.write_text(json.dumps(findings.to_json(), ensure_ascii=False), encoding="utf-8")
    return path


def load_findings(out: Path, results: RunResults) -> SimilarityFindings | None:
    """The findings of exactly these results' notebooks, or ``None`` (none kept, unreadable, or stale)."""
    path = Path(out) / FINDINGS_NAME
    if not path.is_file():
        return None
    try:
        findings = SimilarityFindings.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return None
    if not findings.matches({s.id: s.sha256 for s in results.submissions}):
        log.info("ignoring %s: it compared other notebooks than results.json grades", path)
        return None
    return findings


def remove_findings(out: Path) -> None:
    """Remove a previous run's similarity files (a run without the comparison must not show them)."""
    for name in FILES:
        (Path(out) / name).unlink(missing_ok=True)
