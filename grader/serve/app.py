"""The application of ``grader serve``: the routes as data, the security middleware, the graders' lifespan."""

from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grader.serve.instructors import (
    dashboard, decide, export, grades_csv, instructor_home, instructor_report, lms_export, release, review_page,
    self_check_report, self_checks, similarity,
)
from grader.serve.security import SecurityHeaders
from grader.serve.signin import home, language, lti_jwks, lti_launch, lti_login, sign_in, sign_out
from grader.serve.students import attempt, attempt_report, attempt_state, upload
from grader.serve.web import Server, not_found, session_of

__all__ = ["ROUTES", "Server", "build_app"]

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
    Route("/professor/tarefas/{assignment}/similarity.html", similarity),
    Route("/professor/tarefas/{assignment}/exportar/{format}", export),
    Route("/professor/tarefas/{assignment}/exportar/{format}", lms_export, methods=["POST"]),
    Route("/professor/tarefas/{assignment}/verificacoes", self_checks),
    Route("/professor/tarefas/{assignment}/verificacoes/{job}", self_check_report),
]


async def _not_found_handler(request: Request, exc) -> Response:
    return not_found(request, session_of(request))


def build_app(server: Server) -> Starlette:
    """The ASGI application: the routes, the security headers, the grading workers started and stopped with it."""
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
