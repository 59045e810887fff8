"""``grader serve COURSE.toml`` and ``grader serve links COURSE.toml``: the server, and its sign-in links."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.assignments import load as load_assignment
from grader.errors import ExitCode, UsageError
from grader.messages import load_catalogue
from grader.run import make_context
from grader.serve.app import Server, build_app
from grader.serve.course import Course, load_course, read_roster, secret_key
from grader.serve.grading import Grader
from grader.serve.jobs import JobQueue
from grader.serve.lti import Lti, ToolKey
from grader.serve.tokens import Identity, Tokens
from grader.serve.views import Served

LOG_NAME = "serve.log"


def build_server(course: Course, *, data_dir: Path | None = None, isolation: str = "auto",
                 cell_timeout: float | None = None, log_path: Path | None = None,
                 cifar10_dir: Path | None = None) -> Server:
    """Everything the application needs, checked before it listens: assignments, store, key, sandbox."""
    served, contexts = {}, {}
    for entry in course.assignments:
        spec, registry = load_assignment(entry.id, course.assignments_dir)
        context = make_context(spec, data_dir=data_dir, cifar10_dir=cifar10_dir, store=course.store_path, no_store=False,
                               cell_timeout=cell_timeout, isolation=isolation, jobs=course.workers)
        contexts[entry.id] = context
        served[entry.id] = Served(entry, context.assignment, registry, course.data_dir / "decisions" / f"{entry.id}.toml")
    queue = JobQueue(course.store_path, course.queue_limit)
    tokens = Tokens(secret_key(course.secret_key_path), course.link_days * 86400)
    lti = Lti(course, ToolKey(course.data_dir / "lti-tool-key.pem")) if course.lti else None
    return Server(course, served, queue, Grader(queue, contexts, course.workers, log_path), tokens, lti)


def serve(*, course: Path, host: str = "127.0.0.1", port: int = 8000, data_dir: Path | None = None,
          isolation: str = "auto", cell_timeout: float | None = None, lang: str = "pt",
          cifar10_dir: Path | None = None) -> int:
    """Serve the course until stopped (Ctrl-C or SIGTERM); queued jobs wait in the store for the next start.

    The console's language is the command line's (``--lang``); every page is rendered in its reader's.
    """
    import uvicorn

    loaded = load_course(course)
    loaded.data_dir.mkdir(parents=True, exist_ok=True)
    console.log_to(loaded.data_dir / LOG_NAME)
    server = build_server(loaded, data_dir=data_dir, cifar10_dir=cifar10_dir, isolation=isolation,
                          cell_timeout=cell_timeout,
                          log_path=loaded.data_dir / LOG_NAME)
    app = build_app(server)
    console.err(load_catalogue(lang)("cli.serve.listening", url=f"http://{host}:{port}", course=str(course),
                          log=str(loaded.data_dir / LOG_NAME)))
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    # no access log of uvicorn's own: it would write sign-in tokens (the middleware logs paths without them)
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None, proxy_headers=True,
                timeout_graceful_shutdown=5)
    return ExitCode.OK


@dataclass(frozen=True)
class SignInLink:
    user: str
    name: str
    role: str
    url: str


def sign_in_links(course: Course, roster: Path | None = None, base_url: str | None = None) -> list[SignInLink]:
    """A link for each student of the roster (the course's, or ``roster``), then one per instructor."""
    students = read_roster(roster) if roster is not None else course.roster
    if not students:
        raise UsageError("no roster: give --roster or 'roster' in the course file", "usage.serve.no_roster")
    tokens = Tokens(secret_key(course.secret_key_path), course.link_days * 86400)
    base = (base_url or course.base_url).rstrip("/")
    people = [Identity(s.id, "student", s.name) for s in students]
    people += [Identity(name, "instructor", name) for name in course.instructors]
    return [SignInLink(p.user, p.name, p.role, f"{base}/entrar/{tokens.signin_token(p)}") for p in people]


def links(*, course: Path, roster: Path | None = None, base_url: str | None = None) -> int:
    """Print the sign-in links as CSV (id, name, role, link): to send each student their own, privately."""
    import csv
    import io

    found = sign_in_links(load_course(course), roster, base_url)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["id", "name", "role", "link"])
    for link in found:
        writer.writerow([link.user, link.name, link.role, link.url])
    console.out(text.getvalue().rstrip("\n"))
    return ExitCode.OK
