"""The instructor's routes: the class dashboard, reports, the review queue, release (with LMS passback), grades.csv."""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from grader.version import __version__
from grader.decisions import Decision, load_decisions, save_decisions, with_decision
from grader.errors import UsageError
from grader.export import available_exporters
from grader.history import rubric_hash
from grader.messages import Catalogue, load_catalogue
from grader.report import render_index, render_submission_report
from grader.review import parse_points
from grader.scoring import POINTS_TOLERANCE, review_items
from grader.serve.security import page
from grader.similarity.command import Notebook, stored_or_compared
from grader.similarity.report import render_similarity_page
from grader.serve.tokens import Session
from grader.serve.views import Served, class_view
from grader.serve.web import (
    Server, catalogue_for, checked_form, is_instructor, message_page, moment, not_found, page_for, server_of,
    session_of,
)
from grader.store import Store

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ instructors
def _served_for_instructor(request: Request, session: Session | None) -> Served | None:
    if not is_instructor(session):
        return None
    return server_of(request).served.get(request.path_params.get("assignment", ""))


def instructor_home(request: Request) -> Response:
    session = session_of(request)
    if not is_instructor(session):
        return not_found(request, session)
    server, cat = server_of(request), catalogue_for(session)
    rows = []
    for served in server.served.values():
        view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
        released = server.queue.released(served.spec.id)
        rows.append(dict(id=served.spec.id, title=served.spec.title, mode=served.course.mode,
                         handed_in=len(view.results.submissions),
                         open_items=sum(len(r.review) for r in view.results.submissions),
                         released=moment(released, cat) if released else None))
    notice = None
    if request.query_params.get("lms", "").isdigit() and request.query_params.get("falhas", "").isdigit():
        notice = cat("serve.lti.sent", sent=int(request.query_params["lms"]),
                     failed=int(request.query_params["falhas"]))
    return page_for(request, "instructor.html.j2", session, assignments=rows, notice=notice, exports=exports())


def dashboard(request: Request) -> Response:
    session = session_of(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = server_of(request), catalogue_for(session)
    view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
    links = {sid: {"instructor": f"relatorios/{sid}"} for sid in view.jobs}
    return page(render_index(view.results, cat, links))


def instructor_report(request: Request) -> Response:
    session = session_of(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = server_of(request), catalogue_for(session)
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
    session = session_of(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = server_of(request), catalogue_for(session)
    view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
    return page_for(request, "review.html.j2", session, status, title=served.spec.title, assignment=served.spec.id,
                 entries=_review_entries(view, cat), problem=problem)


async def decide(request: Request) -> Response:
    session = session_of(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    form = await checked_form(request, session)
    if form is None:
        return message_page(request, session, "serve.csrf", 403, kind="error")
    server, cat = server_of(request), catalogue_for(session)
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
    session = session_of(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    if await checked_form(request, session) is None:
        return message_page(request, session, "serve.csrf", 403, kind="error")
    sent, failed = await run_in_threadpool(_release, server_of(request), served, session)
    return RedirectResponse(f"/professor?lms={sent}&falhas={failed}" if sent or failed else "/professor", 303)


def _release(server: Server, served: Served, session: Session) -> tuple[int, int]:
    """Record the class's grades in the store's gradebook, show them to the students, send them to the LMS.

    Returns how many scores the LMS took and how many it did not (each failure logged).
    """
    reference = server.grader.reference(served.spec.id)
    view = class_view(server.queue, served, reference, catalogue_for(session))
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


def similarity(request: Request) -> Response:
    """The similar hand-ins of the class (a signal for the teacher to read, as ``grader similarity`` shows it)."""
    session = session_of(request)
    served = _served_for_instructor(request, session)
    if served is None:
        return not_found(request, session)
    server, cat = server_of(request), catalogue_for(session)
    jobs = server.queue.handed_in(served.spec.id)
    with tempfile.TemporaryDirectory(prefix="grader-serve-") as folder:
        notebooks = []
        for student, job in sorted(jobs.items()):
            path = Path(folder) / f"{len(notebooks)}.ipynb"  # a student id never names a file here
            path.write_bytes(server.queue.notebook(job.id) or b"")
            notebooks.append(Notebook(student, path, job.sha256))
        findings = stored_or_compared(notebooks, served.spec.notebook_path, served.spec.similarity,
                                      Store(server.course.store_path))
    reports = {student: f"relatorios/{student}" for student in findings.compared}
    return page(render_similarity_page(findings, cat, title=served.spec.title, reports=reports))


def grades_csv(request: Request) -> Response:
    return _export(request, "csv")


def export(request: Request) -> Response:
    """Any export format that needs no file from the LMS (csv, junit, plugins): the class as released now."""
    return _export(request, request.path_params["format"])


def _export(request: Request, name: str) -> Response:
    session = session_of(request)
    served = _served_for_instructor(request, session)
    exporter = available_exporters().get(name)
    if served is None or exporter is None or exporter.needs_roster:
        return not_found(request, session)
    server, cat = server_of(request), catalogue_for(session)
    view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
    with tempfile.TemporaryDirectory(prefix="grader-serve-") as folder:
        path = Path(folder) / exporter.filename
        exporter(view.results, path)
        content = path.read_bytes()
    kind = "text/csv; charset=utf-8" if exporter.filename.endswith(".csv") else "application/octet-stream"
    return Response(content, media_type=kind, headers={
        "Content-Disposition": f'attachment; filename="{served.spec.id}-{exporter.filename}"'})


def exports() -> list[str]:
    """The formats the instructor's page offers (those that start from the LMS's own file are left to the CLI)."""
    return sorted(name for name, exporter in available_exporters().items() if not exporter.needs_roster)
