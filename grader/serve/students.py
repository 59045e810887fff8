"""The students' routes: their assignments, uploads (capped while they stream), attempts, progress, reports.

A self-check (verificação) is reported on the visible checks at once; a hand-in (entrega)
once the instructor has released the grades, with the decisions and the late policy.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from grader.messages import Catalogue
from grader.report import render_submission_report
from grader.serve.jobs import Job, Refusal
from grader.serve.security import TooLarge, page, read_capped, replay
from grader.serve.tokens import Session, csrf_matches
from grader.serve.views import Served, graded_hand_ins, score_job
from grader.serve.web import (
    Server, catalogue_for, is_student, message_page, moment, not_found, page_for, same_origin, server_of, session_of,
)

MAX_NAME = 120  # characters of an uploaded file's name kept (its end: the extension)

# ------------------------------------------------------------------ students
def student_home(request: Request, session: Session, refusal: str | None = None, status: int = 200) -> Response:
    server, cat = server_of(request), catalogue_for(session)
    now = datetime.now(timezone.utc)
    rows = []
    for served in server.served.values():
        a = served.course
        jobs = server.queue.of_student(session.identity.user, a.id)
        released = server.queue.released(a.id)
        rows.append(dict(id=a.id, title=served.spec.title, mode=a.mode, open=a.open_at(now), released=released,
                         closes=a.closes.astimezone().strftime("%d/%m/%Y %H:%M") if a.closes else None,
                         jobs=[dict(id=j.id, when=moment(j.submitted, cat), filename=j.filename,
                                    state=state_text(server, j, cat)) for j in jobs]))
    return page_for(request, "student.html.j2", session, status, assignments=rows, refusal=refusal,
                 upload_mb=cat.number(round(server.course.upload_bytes / 2**20, 1)))


def state_text(server: Server, job: Job, cat: Catalogue) -> str:
    if job.state == "queued":
        return cat("serve.progress.queued", place=server.queue.place(job))
    if job.state == "running":
        elapsed = int(time.time() - (job.started or time.time()))
        cell = server.grader.current_cell(job.id)
        where = cat("serve.progress.cell", cell=cell) if cell else cat("serve.progress.starting")
        return cat("serve.progress.running", where=where, elapsed=f"{elapsed // 60}:{elapsed % 60:02d}")
    return cat("serve.progress.done")


async def upload(request: Request) -> Response:
    session = session_of(request)
    server = server_of(request)
    served = server.served.get(request.path_params["assignment"])
    if not is_student(session) or served is None:
        return not_found(request, session)
    if not same_origin(request):
        return message_page(request, session, "serve.csrf", 403, kind="error")
    try:  # capped while it streams, before anything parses it
        body = await read_capped(request, server.course.upload_bytes + 64 * 1024)
    except TooLarge:
        return message_page(request, session, "serve.refused.too_large", 413,
                        mb=catalogue_for(session).number(round(server.course.upload_bytes / 2**20, 1)))
    form = await Request(request.scope, replay(body)).form(max_files=1, max_fields=5)
    if not csrf_matches(session, form.get("csrf")):
        return message_page(request, session, "serve.csrf", 403, kind="error")
    upload_file = form.get("notebook")
    if upload_file is None or isinstance(upload_file, str):
        return await run_in_threadpool(student_home, request, session, catalogue_for(session)("serve.refused.no_file"),
                                       400)
    notebook = await upload_file.read()
    refusal = _refuse_upload(served, upload_file.filename or "", notebook, server.course.upload_bytes)
    if refusal is None:
        queued = await run_in_threadpool(server.queue.submit, session.identity.user, served.course.id, served.course.mode,
                                     Path(upload_file.filename).name[-MAX_NAME:], notebook, served.course.cooldown)
        if isinstance(queued, Job):
            server.grader.wake.set()
            return RedirectResponse(f"/tentativas/{queued.id}", 303)
        refusal = queued
    return await run_in_threadpool(student_home, request, session, catalogue_for(session)(refusal.key, **refusal.params),
                                   429
                         if refusal.key in ("serve.refused.queue_full", "serve.refused.cooldown") else 409)


def _refuse_upload(served: Served, filename: str, notebook: bytes, cap: int) -> Refusal | None:
    if len(notebook) > cap:
        return Refusal("serve.refused.too_large", {"mb": round(cap / 2**20, 1)})
    if not served.course.open_at(datetime.now(timezone.utc)):
        return Refusal("serve.refused.closed", {})
    if not filename.lower().endswith(".ipynb"):
        return Refusal("serve.refused.not_notebook", {})
    try:
        data = json.loads(notebook)
    except ValueError:
        return Refusal("serve.refused.not_notebook", {})
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return Refusal("serve.refused.not_notebook", {})
    return None


def _own_job(request: Request, session: Session | None) -> Job | None:
    """The job of the path, when it is the signed-in student's."""
    if not is_student(session):
        return None
    try:
        job = server_of(request).queue.get(int(request.path_params["job"]))
    except ValueError:
        return None
    return job if job is not None and job.student == session.identity.user else None


def _report_ready(server: Server, job: Job) -> bool:
    return job.state == "done" and (job.mode == "verificacao" or server.queue.released(job.assignment) is not None)


def attempt(request: Request) -> Response:
    session = session_of(request)
    job = _own_job(request, session)
    server = server_of(request)
    if job is None or job.assignment not in server.served:
        return not_found(request, session)
    cat = catalogue_for(session)
    served = server.served[job.assignment]
    outcome = None
    if job.state == "done":
        if job.mode == "entrega" and not _report_ready(server, job):
            outcome = cat("serve.attempt.recorded", when=moment(job.submitted, cat))
        else:
            result, _ = _student_result(server, job, cat)
            outcome = cat("serve.attempt.score", score=cat.number(result.final_score),
                          max_score=cat.number(result.max_score))
    return page_for(request, "attempt.html.j2", session, title=served.spec.title, job=job,
                 when=moment(job.submitted, cat), progress=state_text(server, job, cat),
                 report=_report_ready(server, job), outcome=outcome)


def attempt_state(request: Request) -> Response:
    session = session_of(request)
    job = _own_job(request, session)
    if job is None:
        return JSONResponse({"error": "not found"}, 404)
    return JSONResponse({"state": job.state, "text": state_text(server_of(request), job, catalogue_for(session))})


def _student_result(server: Server, job: Job, cat: Catalogue):
    """The job's result as its student may see it: a check on the visible checks; a hand-in with the
    teacher's decisions on that very notebook and the late policy (scoring the student's job alone)."""
    served = server.served[job.assignment]
    reference = server.grader.reference(job.assignment)
    if job.mode == "verificacao":
        return score_job(job, served, reference, cat, visible_only=True)
    view = graded_hand_ins({job.student: job}, served, reference, cat)
    return view.results.submissions[0], view.facts[job.student]


def attempt_report(request: Request) -> Response:
    session = session_of(request)
    job = _own_job(request, session)
    server = server_of(request)
    if job is None or job.assignment not in server.served or not _report_ready(server, job):
        return not_found(request, session)
    cat = catalogue_for(session)
    result, facts = _student_result(server, job, cat)
    served = server.served[job.assignment]
    spec = served.visible_spec if job.mode == "verificacao" else served.spec
    html = render_submission_report(result, spec, cat, facts, server.grader.reference(job.assignment),
                                    kinds=served.registry)
    return page(html)
