"""The grading function: submissions executed on a backend with the reference, then scored in this process.

``grader run``, ``grader check`` and Gradescope's autograder grade through :func:`grade_all`;
what differs between them is the backend (:mod:`grader.backends`), the progress listener and
the catalogue, all passed in: nothing here is kept between two calls.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable

from grader import console
from grader.backends import Backend, Progress
from grader.checks.base import Registry
from grader.discovery import Submission
from grader.facts import NotebookFacts
from grader.failures import describe, step_message
from grader.grade import GradingContext
from grader.locate import add_structure_notes
from grader.messages import Catalogue
from grader.results import StepFailure, SubmissionResult
from grader.schedule import collect_all
from grader.scoring import error_result, score_submission
from grader.spec import Assignment

log = logging.getLogger(__name__)

REFERENCE_KEY = "\0reference"

Graded = dict[str, tuple[SubmissionResult, NotebookFacts]]


def grade_all(submissions: list[Submission], context: GradingContext, registry: Registry, catalogue: Catalogue,
              backend: Backend, *, use_cache: bool = True, progress: Progress | None = None,
              warn: Callable[[str], None] = console.err) -> tuple[Graded, NotebookFacts]:
    """Execute the reference and ``submissions`` together on ``backend``, then score each here.

    ``use_cache``: take stored facts instead of executing again. ``progress``: hears of each
    notebook as it finishes (default: the terminal). ``warn``: told, in ``catalogue``'s
    language, when the reference solution itself fails.
    """
    paths = {REFERENCE_KEY: context.assignment.reference_path, **{s.id: s.path for s in submissions}}
    collected = collect_all(paths, context, backend, catalogue, use_cache=use_cache, progress=progress)
    reference, _ = collected.pop(REFERENCE_KEY)
    broken = reference_failures(reference)
    if broken:
        warn(catalogue("cli.run.reference_broken", where=broken))
    graded: Graded = {}
    for sub in submissions:
        facts, cached = collected[sub.id]
        result, facts = score_isolated(sub, facts, reference, context.assignment, registry, catalogue, cached)
        graded[sub.id] = (dataclasses.replace(result, source=sub.source), facts)
    return graded, reference


def reference_failures(facts: NotebookFacts) -> str | None:
    """Where the reference solution failed (its error, or its cells that did not run), else ``None``.

    Cells the spec's ``[[execution.skip]]`` kept out of the kernel did not fail."""
    broken = [c for c in facts.cells if c.status not in ("ok", "excluded")]
    if not (facts.error or broken):
        return None
    return facts.error or ", ".join(f"{c.index + 1}: {c.ename or c.status}: {c.evalue or ''}" for c in broken)


def score_isolated(sub: Submission, facts: NotebookFacts, reference: NotebookFacts, assignment: Assignment,
                   registry: Registry, catalogue: Catalogue, cached: bool) -> tuple[SubmissionResult, NotebookFacts]:
    """One submission scored; scoring that raises (hostile facts) is that submission's error, not the run's."""
    try:
        facts = add_structure_notes(facts, reference, assignment)
        return score_submission(submission_id=sub.id, path=sub.relative, assignment=assignment, facts=facts,
                                reference=reference, registry=registry, catalogue=catalogue, cached=cached), facts
    except Exception as exc:  # noqa: BLE001 — isolated to this submission, named in its error
        failed = error_result(submission_id=sub.id, path=sub.relative, sha256=facts.sha256, assignment=assignment,
                              catalogue=catalogue, reason=step_message("scoring", describe(exc), catalogue),
                              seconds=facts.seconds if isinstance(facts.seconds, (int, float)) else 0.0)
        log.error("scoring failed for %s", sub.id, exc_info=exc)
        return dataclasses.replace(failed, failures=(StepFailure("scoring", describe(exc), sub.id),)), facts
