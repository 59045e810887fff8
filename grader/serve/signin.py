"""Signing in and out: roster links, LTI 1.3 launches, the language of each user."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from grader.serve.course import Course
from grader.serve.lti import Launch, LaunchRefused
from grader.serve.students import student_home
from grader.serve.tokens import Identity, Session, new_session
from grader.serve.web import (
    LTI_STATE_COOKIE, Asked, guarded, is_instructor, message_page, not_found, server_of, session_of,
    with_session_cookie,
)

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ sign-in
def home(request: Request) -> Response:
    session = session_of(request)
    if session is None:
        return message_page(request, None, "serve.signed_out", 200, back=None)
    if is_instructor(session):
        return RedirectResponse("/professor", 303)
    return student_home(request, session)


async def sign_in(request: Request) -> Response:
    server = server_of(request)
    identity = server.tokens.read_signin(request.path_params["token"])
    # a revoked link is refused as an unknown one is: nothing tells that it was ever good
    if identity is None or not server.generations.holds(identity) or (
            identity.role == "student" and server.course.roster and server.course.student(identity.user) is None):
        return message_page(request, None, "serve.bad_link", 404, kind="error", back=None)
    old = session_of(request)
    session = new_session(identity, old.lang if old else "pt")
    return with_session_cookie(RedirectResponse("/professor" if identity.role == "instructor" else "/", 303), server, session)


@guarded(role=None, form=True)
async def sign_out(asked: Asked) -> Response:
    return with_session_cookie(RedirectResponse("/", 303), asked.server, None)


@guarded(role=None, form=True)
async def language(asked: Asked) -> Response:
    if asked.form.get("lang") not in ("pt", "en"):
        return message_page(asked.request, asked.session, "serve.csrf", 403, kind="error")
    changed = Session(asked.session.identity, asked.session.csrf, asked.form["lang"])
    return with_session_cookie(RedirectResponse("/", 303), asked.server, changed)


# ------------------------------------------------------------------ LTI 1.3
async def lti_login(request: Request) -> Response:
    """OIDC login initiation (GET or POST) from a registered platform: off to its authorization endpoint."""
    server = server_of(request)
    if server.lti is None:
        return not_found(request, None)
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: v for k, v in (await request.form(max_files=0, max_fields=20)).items() if isinstance(v, str)})
    try:
        url, state = server.lti.login(params, server.course.base_url + "/lti/launch")
    except LaunchRefused as exc:
        log.warning("LTI login refused: %s", exc)
        return message_page(request, None, "serve.lti.refused", 400, kind="error", back=None)
    response = RedirectResponse(url, 302)
    # the launch comes back as a cross-site POST: the state cookie must travel with it (SameSite=None needs HTTPS)
    response.set_cookie(LTI_STATE_COOKIE, state, max_age=600, path="/lti/", httponly=True, secure=server.secure,
                        samesite="none" if server.secure else "lax")
    return response


async def lti_launch(request: Request) -> Response:
    """The platform's form post of the id_token: checked, then the user is signed in."""
    server = server_of(request)
    if server.lti is None:
        return not_found(request, None)
    form = await request.form(max_files=0, max_fields=10)
    try:
        launch = await run_in_threadpool(server.lti.launch, str(form.get("id_token") or ""),
                                         str(form.get("state") or ""), request.cookies.get(LTI_STATE_COOKIE))
    except LaunchRefused as exc:
        log.warning("LTI launch refused: %s", exc)
        return message_page(request, None, "serve.lti.refused", 400, kind="error", back=None)
    identity = _launch_identity(server.course, launch)
    await run_in_threadpool(server.lti.remember, identity.user, launch)
    target = "/professor" if identity.role == "instructor" else "/"
    response = with_session_cookie(RedirectResponse(target, 303), server, new_session(identity))
    response.delete_cookie(LTI_STATE_COOKIE, path="/lti/")
    return response


def _launch_identity(course: Course, launch: Launch) -> Identity:
    """A student is the roster's student with the launch's e-mail (else the LMS's user id); an instructor by name."""
    if launch.role == "instructor":
        return Identity(launch.email or launch.sub, "instructor", launch.name)
    student = next((s for s in course.roster if launch.email and s.email.lower() == launch.email.lower()), None)
    return Identity(student.id if student else launch.sub, "student", launch.name or (student.name if student else ""))


def lti_jwks(request: Request) -> Response:
    server = server_of(request)
    if server.lti is None:
        return not_found(request, None)
    return JSONResponse(server.lti.key.jwks())
