"""Scoring against a kit: the checks of the full pipeline, on the kit's sealed reference facts.

The check functions are the registered ones; the kit only adds two outcomes: a check the
kit defers (its expected value cannot be compared without revealing it) and a value too
close to its tolerance to decide from digests are ``skipped``, left to the instructor's run.
"""

from __future__ import annotations

import dataclasses

from grader.checks.base import CheckKind, Outcome, Registry, default_registry
from grader.facts import NotebookFacts
from grader.kit.contents import KitContents
from grader.sealed import Undecidable
from grader.locate import add_structure_notes
from grader.messages import Catalogue
from grader.results import SubmissionResult
from grader.scoring import score_submission
from grader.spec import CheckSpec

DEFERRED, UNDECIDABLE = "kit.deferred", "kit.undecidable"


class KitRegistry(Registry):
    """The built-in check kinds, each wrapped to answer ``skipped`` where the kit cannot judge."""

    def __init__(self, deferred: tuple[str, ...], base: Registry | None = None,
                 later: dict[str, str] | None = None) -> None:
        """``later``: check id -> message key of checks skipped here for another reason (``verificar()``)."""
        super().__init__()
        self._base = base or default_registry()
        self._deferred = frozenset(deferred)
        self._later = dict(later or {})

    def __contains__(self, name: str) -> bool:
        return True

    def names(self) -> list[str]:
        return self._base.names()

    def get(self, name: str) -> CheckKind:
        real = self._base.get(name) if name in self._base else None

        def judged(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
            if real is None or check.id in self._deferred:
                return Outcome("skipped", 0.0, DEFERRED)
            if check.id in self._later:
                return Outcome("skipped", 0.0, self._later[check.id])
            try:
                return real.function(student, reference, check)
            except Undecidable:
                return Outcome("skipped", 0.0, UNDECIDABLE)

        # the wrapped kind keeps what the real one declares; an unknown kind declares the defaults
        return dataclasses.replace(real, function=judged) if real is not None else CheckKind(name, judged)


def score_with_kit(*, submission_id: str, path: str, facts: NotebookFacts, kit: KitContents, catalogue: Catalogue,
                   cached: bool = False, registry: KitRegistry | None = None) -> SubmissionResult:
    """Score one notebook's facts on the kit's visible checks, as :func:`grader.run.grade_all` scores them."""
    facts = add_structure_notes(facts, kit.reference, kit.assignment)
    return score_submission(submission_id=submission_id, path=path, assignment=kit.assignment, facts=facts,
                            reference=kit.reference, registry=registry or KitRegistry(kit.deferred),
                            catalogue=catalogue, cached=cached)
