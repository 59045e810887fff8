"""The late policy applied to a run's results, after scoring and after the teacher's decisions."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from grader.late import LatePolicy, late_penalty
from grader.results import SubmissionResult


@dataclass(frozen=True)
class LateOutcome:
    """The results with their penalties, and what the instructor must hear about.

    ``untimed``: submissions with no known submission time (no deduction was made);
    ``unknown``: ids in the times file that are not in the run (a misspelt id);
    ``flagged``: the untimed ones the LMS marked late (a Canvas ``late`` file name).
    """

    results: dict[str, SubmissionResult]
    untimed: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()


def apply_late_policy(results: dict[str, SubmissionResult], policy: LatePolicy | None,
                      times: dict[str, datetime]) -> LateOutcome:
    """Each result with ``late`` set from ``policy`` and its time; without a policy, no ``late`` at all."""
    if policy is None:
        return LateOutcome({k: dataclasses.replace(r, late=None) for k, r in results.items()})
    penalised, untimed = {}, []
    for sub_id, result in results.items():
        submitted = times.get(sub_id)
        if submitted is None:
            untimed.append(sub_id)
            penalised[sub_id] = dataclasses.replace(result, late=None)
            continue
        penalty = late_penalty(submitted, policy, result.score, result.max_score)
        penalised[sub_id] = dataclasses.replace(result, late=penalty)
    flagged = tuple(sorted(k for k in untimed if results[k].source is not None and results[k].source.late))
    return LateOutcome(penalised, tuple(sorted(untimed)), tuple(sorted(set(times) - set(results))), flagged)


def lms_times(results: dict[str, SubmissionResult]) -> dict[str, datetime]:
    """The submission times the LMS download recorded (``source.submitted_at``, when it has a time zone)."""
    times = {}
    for sub_id, result in results.items():
        text = result.source.submitted_at if result.source is not None else None
        try:
            moment = datetime.fromisoformat(text) if text else None
        except ValueError:
            moment = None
        if moment is not None and moment.utcoffset() is not None:
            times[sub_id] = moment
    return times


def previous_times(results: dict[str, SubmissionResult]) -> dict[str, datetime]:
    """The submission times a previous run recorded (``grader report`` without the times file)."""
    return {k: r.late.submitted for k, r in results.items() if r.late is not None}


def late_messages(outcome: LateOutcome, policy: LatePolicy | None, times_file: str | None
                  ) -> list[tuple[str, dict[str, object]]]:
    """What the instructor is told about the late policy of a run: catalogue keys and their parameters."""
    if policy is None:
        return []
    where = times_file or "submitted.toml"
    results = outcome.results.values()
    if len(outcome.untimed) == len(outcome.results):
        messages = [("cli.late.no_times", {"due": policy.due.isoformat(), "file": where})]
        if outcome.flagged:
            messages.append(("cli.late.flagged", {"count": len(outcome.flagged), "file": where,
                                                  "ids": ", ".join(outcome.flagged)}))
        return messages
    late = [r for r in results if r.late and r.late.late]
    messages: list[tuple[str, dict[str, object]]] = [("cli.late.applied", {
        "late": len(late), "count": len(outcome.results), "penalised": sum(1 for r in late if r.late.percent),
        "due": policy.due.isoformat()})]
    if outcome.untimed:
        messages.append(("cli.late.untimed", {"count": len(outcome.untimed), "file": where,
                                              "ids": ", ".join(outcome.untimed)}))
    if outcome.unknown:
        messages.append(("cli.late.unknown", {"file": where, "ids": ", ".join(outcome.unknown)}))
    if outcome.flagged:
        messages.append(("cli.late.flagged", {"count": len(outcome.flagged), "file": where,
                                              "ids": ", ".join(outcome.flagged)}))
    return messages
