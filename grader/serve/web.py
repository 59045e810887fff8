"""What every route of ``grader serve`` shares: the server's parts, who asks, pages and cookies.

Every route checks who asks: a student reaches only their own attempts and reports, an
instructor the instructor's pages; anything else is a 404, as if it did not exist. Forms
carry the session's CSRF token; the session is a signed, HttpOnly, SameSite cookie.
"""

from __future__ import annotations

import functools
import inspect
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from grader.errors import UsageError
from grader.messages import Catalogue, load_catalogue
from grader.serve.course import Course
from grader.serve.grading import Grader
from grader.serve.jobs import JobQueue
from grader.serve.lti import Lti
from grader.serve.pages import render
from grader.serve.revocations import LinkGenerations
from grader.serve.security import TooLarge, page, read_capped, replay
from grader.serve.tokens import Session, Tokens, csrf_matches
from grader.serve.views import Served

log = logging.getLogger(__name__)
COOKIE = "grader_session"
FORM_BYTES = 64 * 1024  # a form's fields (a decision's comment is the longest); files come on top
LTI_STATE_COOKIE = "grader_lti_state"


@dataclass
class Server:
    """What the routes share: the course, its assignments, the queue, the graders, the signing keys."""

    course: Course
    served: dict[str, Served]
    queue: JobQueue
    grader: Grader
    tokens: Tokens
    generations: LinkGenerations
    lti: Lti | None = None

    @property
    def secure(self) -> bool:
        return self.course.base_url.startswith("https://")


# ------------------------------------------------------------------ helpers
def server_of(request: Request) -> Server:
    return request.app.state.server


def session_of(request: Request) -> Session | None:
    """The request's session; none when the link it was opened by has been revoked since."""
    server = server_of(request)
    session = server.tokens.read_session(request.cookies.get(COOKIE))
    return session if session is not None and server.generations.holds(session.identity) else None


def catalogue_for(session: Session | None) -> Catalogue:
    return load_catalogue(session.lang if session else "pt")


def page_for(request: Request, template: str, session: Session | None, status: int = 200, **context) -> Response:
    html = render(template, catalogue_for(session), session=session, course_title=server_of(request).course.title,
                  **context)
    return page(html, status)


def message_page(request: Request, session: Session | None, key: str, status: int, kind: str = "notice",
             back: str | None = "/", **params) -> Response:
    cat = catalogue_for(session)
    return page_for(request, "message.html.j2", session, status, heading=cat(f"{key}_title"), text=cat(key, **params),
                 kind=kind, back=back)


def not_found(request: Request, session: Session | None) -> Response:
    return message_page(request, session, "serve.not_found", 404, kind="error")


def with_session_cookie(response: Response, server: Server, session: Session | None) -> Response:
    if session is None:
        response.delete_cookie(COOKIE, path="/", secure=server.secure, httponly=True, samesite="lax")
    else:
        response.set_cookie(COOKIE, server.tokens.session_value(session), path="/", secure=server.secure,
                            httponly=True, samesite="lax")
    return response


def same_origin(request: Request) -> bool:
    """A POST whose ``Origin``, when the browser names one, is this server (the CSRF token is checked anyway)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":  # "null": a browser that hides it (privacy settings)
        return True
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


async def checked_form(request: Request, session: Session | None, *, files: int = 0, cap: int = FORM_BYTES):
    """The posted form, when the request is same-origin and carries the session's CSRF token; else None.

    ``files``: how many files it may carry; its body is refused past ``cap`` bytes (:class:`TooLarge`)
    while it streams, before it is parsed.
    """
    if session is None or not same_origin(request):
        return None
    body = await read_capped(request, cap)
    form = await Request(request.scope, replay(body)).form(max_files=files, max_fields=20)
    return form if csrf_matches(session, form.get("csrf")) else None


@dataclass(frozen=True)
class Asked:
    """A request past the checks its route makes (:func:`guarded`): who asks, in which language, about what."""

    request: Request
    server: Server
    session: Session
    cat: Catalogue
    served: Served | None = None  # the assignment the path names
    form: FormData | None = None  # the posted form, its CSRF token checked


def guarded(*, role: str | None = "instructor", assignment: bool = False, form: bool = False, files: int = 0):
    """A route's checks, made once for all: who asks, the assignment of its path, the posted form.

    ``role``: who may ask (None: anyone signed in); ``assignment``: the path names one of the
    course's; ``form``: a POST whose CSRF token and origin are checked, with up to ``files``
    files in a body capped at the course's upload size. Anything else is a 404, as for a page
    that does not exist; a form that fails its checks a 403; a body past the cap a 413. The
    handler gets an :class:`Asked`; a sync handler runs in a thread (scoring a class takes a while).
    """
    def decorate(handler: Callable[[Asked], Response | Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def route(request: Request) -> Response:
            server, session = server_of(request), session_of(request)
            served = server.served.get(request.path_params.get("assignment", "")) if assignment else None
            if session is None or (role is not None and session.identity.role != role) or (assignment and served is None):
                return not_found(request, session)
            posted = None
            if form:
                cap = server.course.upload_bytes + FORM_BYTES if files else FORM_BYTES
                try:
                    posted = await checked_form(request, session, files=files, cap=cap)
                except TooLarge:
                    return message_page(request, session, "serve.refused.too_large", 413,
                                        mb=catalogue_for(session).number(round(server.course.upload_bytes / 2**20, 1)))
                if posted is None:
                    return message_page(request, session, "serve.csrf", 403, kind="error")
            asked = Asked(request, server, session, catalogue_for(session), served, posted)
            try:
                if inspect.iscoroutinefunction(handler):
                    return await handler(asked)
                return await run_in_threadpool(handler, asked)
            except UsageError as exc:  # a file of the course's that cannot be read (decisions.toml edited by hand)
                log.error("%s %s: %s", request.method, request.url.path, exc)
                return message_page(request, session, "serve.problem", 500, kind="error",
                                    reason=exc.render(asked.cat))
        return route
    return decorate


def moment(seconds: float, cat: Catalogue) -> str:
    return datetime.fromtimestamp(seconds).astimezone().strftime("%d/%m/%Y %H:%M:%S" if cat.lang.startswith("pt")
                                                                   else "%Y-%m-%d %H:%M:%S")


def is_student(session: Session | None) -> bool:
    return session is not None and session.identity.role == "student"


def is_instructor(session: Session | None) -> bool:
    return session is not None and session.identity.role == "instructor"
