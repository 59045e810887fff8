"""Hand-made results for the exporters: a late student, one from a Canvas download, one nobody knows."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from grader.late import LatePolicy, late_penalty
from grader.lms_names import SubmissionSource
from grader.results import (AssignmentInfo, CheckResult, ExecutionSummary, RunResults, SectionInfo, SectionScore,
                            SubmissionResult)

DUE = datetime(2026, 3, 10, 23, 59, tzinfo=timezone(timedelta(hours=-3)))


def checks(statuses: dict[str, str]) -> tuple[CheckResult, ...]:
    points = {"passed": 2.0, "partial": 1.0}
    return tuple(CheckResult(cid, "desafio-1", "value", status, points.get(status, 0.0), 2.0,
                             f"mensagem de {cid}", visibility="hidden" if cid == "oculta" else "visible",
                             expected=[42, 43])
                 for cid, status in statuses.items())


def submission(sid: str, statuses: dict[str, str], *, source=None, late_days: float | None = None,
               status: str = "graded", error: str | None = None) -> SubmissionResult:
    found = checks(statuses)
    score = sum(c.score for c in found)
    result = SubmissionResult(sid, f"{sid}.ipynb", "a" * 64, status, score, 10.0,
                              (SectionScore("desafio-1", score, 10.0, "Desafio 1"),), found,
                              ExecutionSummary(2.5), error=error, report=f"{sid}/report.html", source=source)
    if late_days is not None:
        policy = LatePolicy(due=DUE, percent=10.0)
        penalty = late_penalty(DUE + timedelta(days=late_days), policy, result.score, result.max_score)
        result = dataclasses.replace(result, late=penalty)
    return result


@pytest.fixture
def lms_results() -> RunResults:
    info = AssignmentInfo("relu-exercicios", "Lista ReLU", 10.0, (SectionInfo("desafio-1", "Desafio 1", 10.0),))
    return RunResults("0.1.0", info, (
        # ana.souza: the part before @ of a roster e-mail; 1.5 days late: -20 %
        submission("ana.souza", {"valor": "passed", "forma": "partial", "oculta": "failed", "texto": "review"},
                   late_days=1.5),
        # from a Canvas bulk download: matched by the Canvas user id, whatever its file was called
        submission("limabruno", {"valor": "passed", "forma": "passed", "oculta": "passed", "texto": "passed"},
                   source=SubmissionSource("canvas", "1002", name="Bruno Lima")),
        submission("zeca", {}, status="error", error="notebook inválido"),
    ), lang="pt")
