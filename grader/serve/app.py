"""The routes of ``grader serve``: thin handlers over the queue, the views and the report renderers.

Every route checks who asks: a student reaches only their own attempts and reports, an
instructor the instructor's pages; anything else is a 404, as if it did not exist. Forms
carry the session's CSRF token; the session is a signed, HttpOnly, SameSite cookie.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from grader.version import __version__
from grader.decisions import Decision, load_decisions, save_decisions, with_decision
from grader.errors import UsageError
from grader.export import get_exporter
from grader.history import rubric_hash
from grader.messages import Catalogue, load_catalogue
from grader.report import render_index, render_submission_report
from grader.review import parse_points
from grader.scoring import POINTS_TOLERANCE, review_items
from grader.serve.course import Course
from grader.serve.grading import Grader
from grader.serve.jobs import Job, JobQueue, Refusal
from grader.serve.lti import Launch, LaunchRefused, Lti
from grader.serve.pages import render
from grader.serve.security import SecurityHeaders, TooLarge, page, read_capped, replay
from grader.serve.tokens import Identity, Session, Tokens, csrf_matches, new_session
from grader.serve.views import Served, class_view, score_job
from grader.store import Store

log = logging.getLogger(__name__)
COOKIE = "grader_session"
LTI_STATE_COOKIE = "grader_lti_state"


@dataclass
class Server:
    """What the routes share: the course, its assignments, the queue, the graders, the signing keys."""

    course: Course
    served: dict[str, Served]
    queue: JobQueue
    grader: Grader
    tokens: Tokens
    lti: Lti | None = None

    @property
    def secure(self) -> bool:
        return self.course.base_url.startswith("https://")


# ------------------------------------------------------------------ helpers
def _server(request: Request) -> Server:
    return request.app.state.server


def _session(request: Request) -> Session | None:
    return _server(request).tokens.read_session(request.cookies.get(COOKIE))


def _catalogue(session: Session | None) -> Catalogue:
    return load_catalogue(session.lang if session else "pt")


def _page(request: Request, template: str, session: Session | None, status: int = 200, **context) -> Response:
    html = render(template, _catalogue(session), session=session, course_title=_server(request).course.title,
                  **context)
    return page(html, status)


def _message(request: Request, session: Session | None, key: str, status: int, kind: str = "notice",
             back: str | None = "/", **params) -> Response:
    cat = _catalogue(session)
    return _page(request, "message.html.j2", session, status, heading=cat(f"{key}_title"), text=cat(key, **params),
                 kind=kind, back=back)


def not_found(request: Request, session: Session | None) -> Response:
    return _message(request, session, "serve.not_found", 404, kind="error")


def _with_cookie(response: Response, server: Server, session: Session | None) -> Response:
    if session is None:
        response.delete_cookie(COOKIE, path="/", secure=server.secure, httponly=True, samesite="lax")
    else:
        response.set_cookie(COOKIE, server.tokens.session_value(session), path="/", secure=server.secure,
                            httponly=True, samesite="lax")
    return response


def _same_origin(request: Request) -> bool:
    """A POST whose ``Origin``, when the browser names one, is this server (the CSRF token is checked anyway)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":  # "null": a browser that hides it (privacy settings)
        return True
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


async def _form(request: Request, session: Session | None):
    """The posted form, when the request is same-origin and carries the session's CSRF token; else None."""
    if session is None or not _same_origin(request):
        return None
    form = await request.form(max_files=0, max_fields=20)
    return form if csrf_matches(session, form.get("csrf")) else None


def _moment(seconds: float, cat: Catalogue) -> str:
    return datetime.fromtimestamp(seconds).astimezone().strftime("%d/%m/%Y %H:%M:%S" if cat.lang.startswith("pt")
                                                                   else "%Y-%m-%d %H:%M:%S")


def _student(session: Session | None) -> bool:
    return session is not None and session.identity.role == "student"


def _instructor(session: Session | None) -> bool:
    return session is not None and session.identity.role == "instructor"


# ------------------------------------------------------------------ sign-in
def home(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return _message(request, None, "serve.signed_out", 200, back=None)
    if _instructor(session):
        return RedirectResponse("/professor", 303)
    return _student_home(request, session)


async def sign_in(request: Request) -> Response:
    server = _server(request)
    identity = server.tokens.read_signin(request.path_params["token"])
    if identity is None or (identity.role == "student" and server.course.roster
                            and server.course.student(identity.user) is None):
        return _message(request, None, "serve.bad_link", 404, kind="error", back=None)
    old = _session(request)
    session = new_session(identity, old.lang if old else "pt")
    return _with_cookie(RedirectResponse("/professor" if identity.role == "instructor" else "/", 303), server, session)


async def sign_out(request: Request) -> Response:
    session = _session(request)
    if await _form(request, session) is None:
        return _message(request, session, "serve.csrf", 403, kind="error")
    return _with_cookie(RedirectResponse("/", 303), _server(request), None)


async def language(request: Request) -> Response:
    session = _session(request)
    form = await _form(request, session)
    if form is None or form.get("lang") not in ("pt", "en"):
        return _message(request, session, "serve.csrf", 403, kind="error")
    changed = Session(session.identity, session.csrf, form["lang"])
    return _with_cookie(RedirectResponse("/", 303), _server(request), changed)


# ------------------------------------------------------------------ students
def _student_home(request: Request, session: Session, refusal: str | None = None, status: int = 200) -> Response:
    server, cat = _server(request), _catalogue(session)
    now = datetime.now(timezone.utc)
    rows = []
    for served in server.served.values():
        a = served.course
        jobs = server.queue.of_student(session.identity.user, a.id)
        released = server.queue.released(a.id)
        rows.append(dict(id=a.id, title=served.spec.title, mode=a.mode, open=a.open_at(now), released=released,
                         closes=a.closes.astimezone().strftime("%d/%m/%Y %H:%M") if a.closes else None,
                         jobs=[dict(id=j.id, when=_moment(j.submitted, cat), filename=j.filename,
                                    state=_state_text(server, j, cat)) for j in jobs]))
    return _page(request, "student.html.j2", session, status, assignments=rows, refusal=refusal,
                 upload_mb=cat.number(round(server.course.upload_bytes / 2**20, 1)))


def _state_text(server: Server, job: Job, cat: Catalogue) -> str:
    if job.state == "queued":
        return cat("serve.progress.queued", place=server.queue.place(job))
    if job.state == "running":
        elapsed = int(time.time() - (job.started or time.time()))
        cell = server.grader.current_cell(job.id)
        where = cat("serve.progress.cell", cell=cell) if cell else cat("serve.progress.starting")
        return cat("serve.progress.running", where=where, elapsed=f"{elapsed // 60}:{elapsed % 60:02d}")
    return cat("serve.progress.done")


async def upload(request: Request) -> Response:
    session = _session(request)
    server = _server(request)
    served = server.served.get(request.path_params["assignment"])
    if not _student(session) or served is None:
        return not_found(request, session)
    if not _same_origin(request):
        return _message(request, session, "serve.csrf", 403, kind="error")
    try:  # capped while it streams, before anything parses it
        body = await read_capped(request, server.course.upload_bytes + 64 * 1024)
    except TooLarge:
        return _message(request, session, "serve.refused.too_large", 413,
                        mb=_catalogue(session).number(round(server.course.upload_bytes / 2**20, 1)))
    form = await Request(request.scope, replay(body)).form(max_files=1, max_fields=5)
    if not csrf_matches(session, form.get("csrf")):
        return _message(request, session, "serve.csrf", 403, kind="error")
    upload_file = form.get("notebook")
    if upload_file is None or isinstance(upload_file, str):
        return await run_in_threadpool(_student_home, request, session, _catalogue(session)("serve.refused.no_file"),
                                       400)
    notebook = await upload_file.read()
    refusal = _refuse_upload(served, upload_file.filename or "", notebook, server.course.upload_bytes)
    if refusal is None:
        queued = await run_in_threadpool(server.queue.submit, session.identity.user, served.course.id, served.course.mode,
                                     Path(upload_file.filename).name, notebook, served.course.cooldown)
        if isinstance(queued, Job):
            server.grader.wake.set()
            return RedirectResponse(f"/tentativas/{queued.id}", 303)
        refusal = queued
    return await run_in_threadpool(_student_home, request, session, _catalogue(session)(refusal.key, **refusal.params),
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
    if not _student(session):
        return None
    try:
        job = _server(request).queue.get(int(request.path_params["job"]))
    except ValueError:
        return None
    return job if job is not None and job.student == session.identity.user else None


def _report_ready(server: Server, job: Job) -> bool:
    return job.state == "done" and (job.mode == "verificacao" or server.queue.released(job.assignment) is not None)


def attempt(request: Request) -> Response:
    session = _session(request)
    job = _own_job(request, session)
    server = _server(request)
    if job is None or job.assignment not in server.served:
        return not_found(request, session)
    cat = _catalogue(session)
    served = server.served[job.assignment]
    outcome = None
    if job.state == "done":
        if job.mode == "entrega" and not _report_ready(server, job):
            outcome = cat("serve.attempt.recorded", when=_moment(job.submitted, cat))
        else:
            result, _ = _student_result(server, job, cat)
            outcome = cat("serve.attempt.score", score=cat.number(result.final_score),
                          max_score=cat.number(result.max_score))
    return _page(request, "attempt.html.j2", session, title=served.spec.title, job=job,
                 when=_moment(job.submitted, cat), progress=_state_text(server, job, cat),
                 report=_report_ready(server, job), outcome=outcome)


def attempt_state(request: Request) -> Response:
    session = _session(request)
    job = _own_job(request, session)
    if job is None:
        return JSONResponse({"error": "not found"}, 404)
    return JSONResponse({"state": job.state, "text": _state_text(_server(request), job, _catalogue(session))})


def _student_result(server: Server, job: Job, cat: Catalogue):
    served = server.served[job.assignment]
    reference = server.grader.reference(job.assignment)
    if job.mode == "verificacao":
        return score_job(job, served, reference, cat, visible_only=True)
    view = class_view(server.queue, served, reference, cat)
    if view.jobs.get(job.student) is not None and view.jobs[job.student].id == job.id:
        result = next(r for r in view.results.submissions if r.id == job.student)
        return result, view.facts[job.student]
    return score_job(job, served, reference, cat, visible_only=False)  # an earlier hand-in, as it was graded


def attempt_report(request: Request) -> Response:
    session = _session(request)
    job = _own_job(request, session)
    server = _server(request)
    if job is None or job.assignment not in server.served or not _report_ready(server, job):
        return not_found(request, session)
    cat = _catalogue(session)
    result, facts = _student_result(server, job, cat)
    served = server.served[job.assignment]
    spec = served.visible_spec if job.mode == "verificacao" else served.spec
    html = render_submission_report(result, spec, cat, facts, server.grader.reference(job.assignment),
                                    kinds=served.registry)
    return page(html)


# ------------------------------------------------------------------ instructors
def _served_for_instructor(request: Request, session: Session | None) -> Served | None:
    if not _instructor(session):
        return None
    return _server(request).served.get(request.path_params.get("assignment", ""))


def instructor_home(request: Request) -> Response:
    session = _session(request)
    if not _instructor(session):
        return not_found(request, session)
    server, cat = _server(request), _catalogue(session)
    rows = []
    for served in server.served.values():
        view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
        released = server.queue.released(served.spec.id)
        rows.append(dict(id=served.spec.id, title=served.spec.title, mode=served.course.mode,
                         handed_in=len(view.results.submissions),
                         open_items=sum(len(r.review) for r in view.results.submissions),
                         released=_moment(released, cat) if released else None))
    notice = None
    if request.query_params.get("lms", "").isdigit() and request.query_params.get("falhas", "").isdigit():
        notice = cat("serve.lti.sent", sent=int(request.query_params["lms"]),
                     failed=int(request.query_params["falhas"]))
    return _page(request, "instructor.html.j2", session, assignments=rows, notice=notice)


def dashboard(request: Request) -> Response:
    session = _session(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = _server(request), _catalogue(session)
    view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
    links = {sid: {"instructor": f"relatorios/{sid}"} for sid in view.jobs}
    return page(render_index(view.results, cat, links))


def instructor_report(request: Request) -> Response:
    session = _session(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = _server(request), _catalogue(session)
    reference = server.grader.reference(served.spec.id)
    view = class_view(server.queue, served, reference, cat)
    student = request.path_params["student"]
    result = next((r for r in view.results.submissions if r.id == student), None)
    if result is None:
        return not_found(request, session)
    return page(render_submission_report(result, served.spec, cat, view.facts[student], reference, show_hidden=True,
                                         kinds=served.registry))


def _review_entries(view, cat: Catalogue) -> list[dict]:
    entries = []
    for result in view.results.submissions:
        for item, decision in review_items(result):
            check = next((c for c in result.checks if c.id == item.check), None)
            label_key = f"index.review_reason.{item.reason}"
            label = cat(label_key) if label_key in cat.messages else item.reason
            entries.append(dict(student=result.id, target=item.check or item.reason, item=item.check is None,
                                section=item.section if item.check is None else None, why=f"{label}: {item.text}",
                                decision=decision,
                                points=f"{cat.number(check.score)} / {cat.number(check.max_score)}" if check else None))
    return entries


def review_page(request: Request, problem: str | None = None, status: int = 200) -> Response:
    session = _session(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = _server(request), _catalogue(session)
    view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
    return _page(request, "review.html.j2", session, status, title=served.spec.title, assignment=served.spec.id,
                 entries=_review_entries(view, cat), problem=problem)


async def decide(request: Request) -> Response:
    session = _session(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    form = await _form(request, session)
    if form is None:
        return _message(request, session, "serve.csrf", 403, kind="error")
    server, cat = _server(request), _catalogue(session)
    reference = await run_in_threadpool(server.grader.reference, served.spec.id)
    view = await run_in_threadpool(class_view, server.queue, served, reference, cat)
    result = next((r for r in view.results.submissions if r.id == form.get("submission")), None)
    target, item = str(form.get("target") or ""), bool(form.get("item"))
    check = None if item or result is None else next((c for c in result.checks if c.id == target), None)
    if result is None or (not item and check is None):
        return not_found(request, session)
    try:
        points = None if item else parse_points(str(form.get("points") or "").strip() or None)
        comment = str(form.get("comment") or "").strip()
        if not comment:
            raise UsageError("a decision needs a comment", "usage.comment_required")
        if check is not None and points is not None and points > check.max_score + POINTS_TOLERANCE:
            raise UsageError("points above the maximum", "usage.points_above_max", points=cat.number(points),
                             check=target, max_score=cat.number(check.max_score))
    except UsageError as exc:
        return await run_in_threadpool(review_page, request, exc.render(cat), 400)
    who = session.identity.name or session.identity.user
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    decision = Decision(result.id, target, comment, who, when, points, item, str(form.get("section") or "") or None,
                        result.sha256)
    await run_in_threadpool(_save_decision, served, decision)
    return RedirectResponse(f"/professor/tarefas/{served.spec.id}/revisao", 303)


def _save_decision(served: Served, decision: Decision) -> None:
    served.decisions_file.parent.mkdir(parents=True, exist_ok=True)
    current = load_decisions(served.decisions_file if served.decisions_file.is_file() else None)
    save_decisions(served.decisions_file, with_decision(current, decision))


async def release(request: Request) -> Response:
    session = _session(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    if await _form(request, session) is None:
        return _message(request, session, "serve.csrf", 403, kind="error")
    sent, failed = await run_in_threadpool(_release, _server(request), served, session)
    return RedirectResponse(f"/professor?lms={sent}&falhas={failed}" if sent or failed else "/professor", 303)


def _release(server: Server, served: Served, session: Session) -> tuple[int, int]:
    """Record the class's grades in the store's gradebook, show them to the students, send them to the LMS.

    Returns how many scores the LMS took and how many it did not (each failure logged).
    """
    reference = server.grader.reference(served.spec.id)
    view = class_view(server.queue, served, reference, _catalogue(session))
    store, rubric = Store(server.course.store_path), rubric_hash(served.spec, reference.sha256)
    for result in view.results.submissions:
        store.record_grade(served.spec.id, result, rubric, __version__)
    server.queue.release(served.spec.id, session.identity.name or session.identity.user)
    return _pass_back(server, served, view.results.submissions) if server.lti else (0, 0)


def _pass_back(server: Server, served: Served, results) -> tuple[int, int]:
    """Each released score to the line item its student launched from (LTI AGS), one token per platform."""
    links, tokens, sent, failed = server.lti.links(served.spec.id), {}, 0, 0
    for result in results:
        link = links.get(result.id)
        if link is None:
            continue
        issuer, client_id, sub, lineitem = link
        platform = server.course.platform(issuer, client_id)
        try:
            if issuer not in tokens:
                tokens[issuer] = server.lti.access_token(platform)
            cat = load_catalogue("pt")  # the LMS shows it to the student: the course's language
            comment = cat("serve.lti.comment", score=cat.number(result.final_score),
                          max_score=cat.number(result.max_score), url=server.course.base_url + "/")
            server.lti.post_score(lineitem, tokens[issuer], sub, result.final_score, result.max_score, comment)
            sent += 1
        except (OSError, ValueError, KeyError, AttributeError) as exc:  # the LMS down or refusing: said, not fatal
            log.error("grade passback of %s to %s failed: %s: %s", result.id, issuer, type(exc).__name__, exc)
            failed += 1
    return sent, failed


def grades_csv(request: Request) -> Response:
    session = _session(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = _server(request), _catalogue(session)
    view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
    with tempfile.TemporaryDirectory(prefix="grader-serve-") as folder:
        path = Path(folder) / "grades.csv"
        get_exporter("csv")(view.results, path)
        content = path.read_bytes()
    return Response(content, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{served.spec.id}-grades.csv"'})


# ------------------------------------------------------------------ LTI 1.3
async def lti_login(request: Request) -> Response:
    """OIDC login initiation (GET or POST) from a registered platform: off to its authorization endpoint."""
    server = _server(request)
    if server.lti is None:
        return not_found(request, None)
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: v for k, v in (await request.form(max_files=0, max_fields=20)).items() if isinstance(v, str)})
    try:
        url, state = server.lti.login(params, server.course.base_url + "/lti/launch")
    except LaunchRefused as exc:
        log.warning("LTI login refused: %s", exc)
        return _message(request, None, "serve.lti.refused", 400, kind="error", back=None)
    response = RedirectResponse(url, 302)
    # the launch comes back as a cross-site POST: the state cookie must travel with it (SameSite=None needs HTTPS)
    response.set_cookie(LTI_STATE_COOKIE, state, max_age=600, path="/lti/", httponly=True, secure=server.secure,
                        samesite="none" if server.secure else "lax")
    return response


async def lti_launch(request: Request) -> Response:
    """The platform's form post of the id_token: checked, then the user is signed in."""
    server = _server(request)
    if server.lti is None:
        return not_found(request, None)
    form = await request.form(max_files=0, max_fields=10)
    try:
        launch = await run_in_threadpool(server.lti.launch, str(form.get("id_token") or ""),
                                         str(form.get("state") or ""), request.cookies.get(LTI_STATE_COOKIE))
    except LaunchRefused as exc:
        log.warning("LTI launch refused: %s", exc)
        return _message(request, None, "serve.lti.refused", 400, kind="error", back=None)
    identity = _launch_identity(server.course, launch)
    await run_in_threadpool(server.lti.remember, identity.user, launch)
    target = "/professor" if identity.role == "instructor" else "/"
    response = _with_cookie(RedirectResponse(target, 303), server, new_session(identity))
    response.delete_cookie(LTI_STATE_COOKIE, path="/lti/")
    return response


def _launch_identity(course: Course, launch: Launch) -> Identity:
    """A student is the roster's student with the launch's e-mail (else the LMS's user id); an instructor by name."""
    if launch.role == "instructor":
        return Identity(launch.email or launch.sub, "instructor", launch.name)
    student = next((s for s in course.roster if launch.email and s.email.lower() == launch.email.lower()), None)
    return Identity(student.id if student else launch.sub, "student", launch.name or (student.name if student else ""))


def lti_jwks(request: Request) -> Response:
    server = _server(request)
    if server.lti is None:
        return not_found(request, None)
    return JSONResponse(server.lti.key.jwks())


ROUTES = [
    Route("/lti/login", lti_login, methods=["GET", "POST"]),
    Route("/lti/launch", lti_launch, methods=["POST"]),
    Route("/lti/jwks", lti_jwks),
    Route("/", home),
    Route("/entrar/{token}", sign_in),
    Route("/sair", sign_out, methods=["POST"]),
    Route("/idioma", language, methods=["POST"]),
    Route("/tarefas/{assignment}/enviar", upload, methods=["POST"]),
    Route("/tentativas/{job}", attempt),
    Route("/tentativas/{job}/estado", attempt_state),
    Route("/tentativas/{job}/relatorio", attempt_report),
    Route("/professor", instructor_home),
    Route("/professor/tarefas/{assignment}/", dashboard),
    Route("/professor/tarefas/{assignment}/relatorios/{student}", instructor_report),
    Route("/professor/tarefas/{assignment}/revisao", review_page),
    Route("/professor/tarefas/{assignment}/decidir", decide, methods=["POST"]),
    Route("/professor/tarefas/{assignment}/liberar", release, methods=["POST"]),
    Route("/professor/tarefas/{assignment}/grades.csv", grades_csv),
]


async def _not_found_handler(request: Request, exc) -> Response:
    return not_found(request, _session(request))


def build_app(server: Server) -> Starlette:
    """The ASGI application: the routes, the security headers, the grading workers started and stopped with it."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        server.grader.start()
        try:
            yield
        finally:
            server.grader.stop()

    app = Starlette(routes=ROUTES, lifespan=lifespan, exception_handlers={404: _not_found_handler,
                                                                          405: _not_found_handler})
    app.state.server = server
    app.add_middleware(SecurityHeaders, https=server.secure)
    return app
