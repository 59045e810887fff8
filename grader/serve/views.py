"""What each reader sees: a job scored in the reader's language, the class as the instructor sees it.

Scoring is cheap and stored facts are kept, so every view scores again from the job's facts
with the reader's catalogue (nothing rendered in one language is shown to a reader of
another). A self-check (``verificacao``) is scored on the visible checks only; a hand-in
(``entrega``) on all of them, with the teacher's decisions and the late policy, and a
student sees it only once the instructor has released the grades.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.version import __version__
from grader.checks.base import Registry
from grader.decisions import apply_run_decisions, load_decisions
from grader.discovery import Submission
from grader.facts import NotebookFacts
from grader.late_apply import apply_late_policy
from grader.messages import Catalogue
from grader.outputs import assignment_info
from grader.results import RunResults, SubmissionResult
from grader.run import score_isolated
from grader.serve.course import CourseAssignment
from grader.serve.jobs import Job, JobQueue
from grader.spec import Assignment


@dataclass(frozen=True)
class Served:
    """One assignment of the course, its parsed spec and check kinds, where its decisions are kept."""

    course: CourseAssignment
    spec: Assignment
    registry: Registry
    decisions_file: Path

    @property
    def visible_spec(self) -> Assignment:
        return dataclasses.replace(self.spec, checks=tuple(c for c in self.spec.checks if c.visibility == "visible"))


def job_facts(job: Job) -> NotebookFacts:
    return NotebookFacts.from_json(json.loads(job.facts or "{}"))


def score_job(job: Job, served: Served, reference: NotebookFacts, catalogue: Catalogue,
              *, visible_only: bool) -> tuple[SubmissionResult, NotebookFacts]:
    """The job's result, scored now in ``catalogue``'s language."""
    spec = served.visible_spec if visible_only else served.spec
    sub = Submission(job.student, Path(job.filename), job.filename)
    return score_isolated(sub, job_facts(job), reference, spec, served.registry, catalogue, cached=False)


def submitted_at(job: Job) -> datetime:
    return datetime.fromtimestamp(job.submitted, tz=timezone.utc)


@dataclass(frozen=True)
class ClassView:
    results: RunResults
    facts: dict[str, NotebookFacts]
    jobs: dict[str, Job]


def class_view(queue: JobQueue, served: Served, reference: NotebookFacts, catalogue: Catalogue) -> ClassView:
    """Every student's last hand-in, scored, with the decisions file and the late policy applied."""
    return graded_hand_ins(queue.handed_in(served.spec.id), served, reference, catalogue)


def graded_hand_ins(jobs: dict[str, Job], served: Served, reference: NotebookFacts, catalogue: Catalogue) -> ClassView:
    """These hand-ins (student -> job), scored, with the decisions file and the late policy applied."""
    scored = {sid: score_job(job, served, reference, catalogue, visible_only=False) for sid, job in jobs.items()}
    results = {sid: result for sid, (result, _) in scored.items()}
    results, info = apply_run_decisions(results, load_decisions(_existing(served.decisions_file)),
                                        served.decisions_file)
    late = apply_late_policy(results, served.spec.late, {sid: submitted_at(job) for sid, job in jobs.items()})
    run = RunResults(__version__, assignment_info(served.spec), tuple(late.results[s] for s in sorted(late.results)),
                     lang=catalogue.lang, decisions=info)
    return ClassView(run, {sid: facts for sid, (_, facts) in scored.items()}, jobs)


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None
