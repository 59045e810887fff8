"""Score history: every graded version of a submission, as the store keeps it.

A *version* is one (notebook sha256, rubric hash) pair. The rubric hash covers what decides
a score besides the notebook: the checks (kind, section, points, parameters), the sections
(heading, bonus), the execution settings except ``threads`` (a run's resource, not the
rubric), the late policy and the reference notebook. Messages, titles and what a check
reveals change no score and no hash. Grading the same notebook again under the same rubric
updates its version (a teacher's decision, a newer grader) instead of adding one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable

from grader.results import SubmissionResult
from grader.spec import Assignment
from grader.store import GradeVersion, Store

__all__ = ["GradeVersion", "record_history", "record_run", "remember_store", "remembered_store", "rubric_hash"]

STORE_NAME = "store.json"  # in OUT/.grader: the store a run recorded its grades in, for ``grader report``
RUN_DIR = ".grader"  # grader.outputs.RUN_DIR (not imported: outputs renders the reports, which import this module)


def rubric_hash(assignment: Assignment, reference_sha256: str | None) -> str:
    """A short hash of everything in the spec (and the reference) that decides a score."""
    execution = {k: v for k, v in assignment.execution.to_json().items() if k != "threads"}
    blob = json.dumps({
        "checks": [[c.id, c.section, c.kind, c.points, c.params] for c in assignment.checks],
        "sections": [[s.id, s.heading, s.bonus] for s in assignment.sections],
        "execution": execution,
        "late": assignment.late.to_json() if assignment.late else None,
        "reference": reference_sha256,
    }, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def record_history(store: Store, assignment: Assignment, reference_sha256: str | None,
                   results: Iterable[SubmissionResult], grader_version: str) -> dict[str, tuple[GradeVersion, ...]]:
    """Record each graded submission's version in ``store``; every submission's history, oldest first.

    A submission the grader could not grade at all (``status`` ``error``: a lost worker, an
    unreadable file) is no version of it and is not recorded.
    """
    rubric = rubric_hash(assignment, reference_sha256)
    for result in results:
        if result.status == "graded":
            store.record_grade(assignment.id, result, rubric, grader_version)
    return store.history(assignment.id)


def remember_store(out: Path, store_path: Path | None) -> None:
    """Note in OUT/.grader which store the run used (none: ``--no-store``), for ``grader report``."""
    (Path(out) / RUN_DIR).mkdir(parents=True, exist_ok=True)
    text = json.dumps({"store": str(Path(store_path).resolve()) if store_path else None})
    (Path(out) / RUN_DIR / STORE_NAME).write_text(text, encoding="utf-8")


def remembered_store(out: Path) -> Path | None:
    """The store :func:`remember_store` noted, or ``None`` (no store, an older OUT, a store gone since)."""
    try:
        noted = json.loads((Path(out) / RUN_DIR / STORE_NAME).read_text(encoding="utf-8")).get("store")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(noted) if noted and Path(noted).is_file() else None


def record_run(store_path: Path | None, out: Path, assignment: Assignment, reference_sha256: str | None,
               results: Iterable[SubmissionResult], grader_version: str) -> dict[str, tuple[GradeVersion, ...]]:
    """What ``grader run`` and ``grader report`` do: note the store in OUT, record there, read the histories.

    No store (``--no-store``): nothing recorded, no history shown.
    """
    remember_store(out, store_path)
    if store_path is None:
        return {}
    return record_history(Store(store_path), assignment, reference_sha256, results, grader_version)
