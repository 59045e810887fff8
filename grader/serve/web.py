"""What every route of ``grader serve`` shares: the server's parts, who asks, pages and cookies.

Every route checks who asks: a student reaches only their own attempts and reports, an
instructor the instructor's pages; anything else is a 404, as if it did not exist. Forms
carry the session's CSRF token; the session is a signed, HttpOnly, SameSite cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from grader.messages import Catalogue, load_catalogue
from grader.serve.course import Course
from grader.serve.grading import Grader
from grader.serve.jobs import JobQueue
from grader.serve.lti import Lti
from grader.serve.pages import render
from grader.serve.security import page
from grader.serve.tokens import Session, Tokens, csrf_matches
from grader.serve.views import Served

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
def server_of(request: Request) -> Server:
    return request.app.state.server


def session_of(request: Request) -> Session | None:
    return server_of(request).tokens.read_session(request.cookies.get(COOKIE))


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


async def checked_form(request: Request, session: Session | None):
    """The posted form, when the request is same-origin and carries the session's CSRF token; else None."""
    if session is None or not same_origin(request):
        return None
    form = await request.form(max_files=0, max_fields=20)
    return form if csrf_matches(session, form.get("csrf")) else None


def moment(seconds: float, cat: Catalogue) -> str:
    return datetime.fromtimestamp(seconds).astimezone().strftime("%d/%m/%Y %H:%M:%S" if cat.lang.startswith("pt")
                                                                   else "%Y-%m-%d %H:%M:%S")


def is_student(session: Session | None) -> bool:
    return session is not None and session.identity.role == "student"


def is_instructor(session: Session | None) -> bool:
    return session is not None and session.identity.role == "instructor"
