"""A step after execution that fails for one submission costs that submission only, never the run.

Scoring, the teacher's decisions, the late policy, the similarity comparison, the reports and
the files written to OUT each run per submission; an exception there becomes a
:class:`~grader.results.StepFailure` of that submission: its ``error`` names the step and the
exception, a review item puts it in the teacher's queue, and the run goes on. A step for the
whole run (the comparison, the dashboard) that fails is a failure of the run, named in
``results.json`` and the run summary; every other output is still written.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Mapping, TypeVar

from grader.messages import Catalogue
from grader.results import ReviewItem, StepFailure, SubmissionResult

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ERROR_CHARS = 300
STEP_FAILED = "step_failed"  # the review item's reason


def describe(exc: BaseException) -> str:
    """``TypeError: message`` on one line, bounded (a hostile notebook's text may be in the message)."""
    try:
        text = " ".join(f"{type(exc).__name__}: {exc}".split())
    except Exception:  # an exception whose str() raises
        text = type(exc).__name__
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "…"


def step_message(step: str, error: str, catalogue: Catalogue) -> str:
    return catalogue.render("submission.step_failed", {"step": catalogue.render(f"step.{step}"), "error": error})


def with_failure(result: SubmissionResult, step: str, exc: BaseException, catalogue: Catalogue) -> SubmissionResult:
    """``result`` with ``step`` failed: named in its ``error``, its ``failures`` and the teacher's queue."""
    log.error("%s failed for %s", step, result.id, exc_info=exc)
    error = describe(exc)
    message = step_message(step, error, catalogue)
    return dataclasses.replace(
        result, error=f"{result.error}; {message}" if result.error else message,
        failures=result.failures + (StepFailure(step, error, result.id),),
        review=result.review + (ReviewItem(None, STEP_FAILED, message),))


def run_failure(step: str, exc: BaseException) -> StepFailure:
    """A step of the whole run that failed (logged with its traceback)."""
    log.error("%s failed for the run", step, exc_info=exc)
    return StepFailure(step, describe(exc))


def isolate(step: str, results: Mapping[str, SubmissionResult], apply: Callable[[dict[str, SubmissionResult]], T],
            catalogue: Catalogue) -> tuple[T, dict[str, SubmissionResult]]:
    """``apply(results)``, or, when it raises, ``apply`` of the submissions it does not raise for.

    For a step that takes every submission at once (decisions, the late policy, the history):
    each submission is tried alone to find the ones it fails for; those come back apart, with
    the failure (:func:`with_failure`), and the step is applied to the rest. Raises only when
    the step fails for the rest together (a failure of the run's, not of a submission).
    """
    results = dict(results)
    try:
        return apply(results), {}
    except Exception as exc:  # noqa: BLE001 — found below, submission by submission
        log.warning("%s failed (%s); trying each submission alone", step, describe(exc))
    failed = {}
    for key, result in results.items():
        try:
            apply({key: result})
        except Exception as exc:  # noqa: BLE001 — this submission's failure, named in its error
            failed[key] = with_failure(result, step, exc, catalogue)
    return apply({k: r for k, r in results.items() if k not in failed}), failed


def isolated_step(step: str, results: Mapping[str, SubmissionResult], apply: Callable[[dict[str, SubmissionResult]], T],
                  catalogue: Catalogue, failures: list[StepFailure], fallback: T) -> tuple[T, dict[str, SubmissionResult]]:
    """:func:`isolate`; when the step fails for the run as a whole, ``fallback`` and the failure added to ``failures``."""
    try:
        return isolate(step, results, apply, catalogue)
    except Exception as exc:  # noqa: BLE001 — the run's failure, named in results.json and the summary
        failures.append(run_failure(step, exc))
        return fallback, {}


def without_failures(result: SubmissionResult, steps: frozenset[str], catalogue: Catalogue) -> SubmissionResult:
    """``result`` with the failures of ``steps`` gone (``grader report`` does those steps again)."""
    kept = tuple(f for f in result.failures if f.step not in steps)
    if len(kept) == len(result.failures) or result.status != "graded":
        return result
    messages = tuple(step_message(f.step, f.error, catalogue) for f in kept)
    review = tuple(i for i in result.review if i.reason != STEP_FAILED) + tuple(
        ReviewItem(None, STEP_FAILED, m) for m in messages)
    return dataclasses.replace(result, failures=kept, error="; ".join(messages) or None, review=review)
