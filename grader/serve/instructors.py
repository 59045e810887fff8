"""The instructor's routes: the class dashboard, reports, self-checks, the review queue, release (with LMS
passback), grades.csv and the other exports.

Every route is :func:`guarded`: a student, someone signed out or an assignment the course does
not serve gets a 404; a form without its CSRF token a 403.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from starlette.responses import RedirectResponse, Response

from grader.version import __version__
from grader.decisions import Decision, load_decisions, save_decisions, with_decision
from grader.errors import UsageError
from grader.export import ExportOptions, available_exporters
from grader.history import rubric_hash
from grader.messages import Catalogue, load_catalogue
from grader.report import render_index, render_submission_report
from grader.review import make_decision, parse_points
from grader.scoring import review_items
from grader.serve.security import page
from grader.similarity.command import Notebook, stored_or_compared
from grader.similarity.report import render_similarity_page
from grader.serve.tokens import Session
from grader.serve.views import Served, class_view, score_job
from grader.serve.web import Asked, Server, guarded, message_page, moment, page_for
from grader.store import Store

log = logging.getLogger(__name__)


def _class(asked: Asked):
    """The class's hand-ins of the path's assignment, scored in the reader's language."""
    server, served = asked.server, asked.served
    return class_view(server.queue, served, server.grader.reference(served.spec.id), asked.cat)


# ------------------------------------------------------------------ pages
@guarded()
def instructor_home(asked: Asked) -> Response:
    server, cat, request = asked.server, asked.cat, asked.request
    rows = []
    for served in server.served.values():
        view = class_view(server.queue, served, server.grader.reference(served.spec.id), cat)
        released = server.queue.released(served.spec.id)
        rows.append(dict(id=served.spec.id, title=served.spec.title, mode=served.course.mode,
                         handed_in=len(view.results.submissions),
                         checks=server.queue.count(served.spec.id, "verificacao"),
                         open_items=sum(len(r.review) for r in view.results.submissions),
                         released=moment(released, cat) if released else None))
    notice = None
    if request.query_params.get("lms", "").isdigit() and request.query_params.get("falhas", "").isdigit():
        notice = cat("serve.lti.sent", sent=int(request.query_params["lms"]),
                     failed=int(request.query_params["falhas"]))
    return page_for(request, "instructor.html.j2", asked.session, assignments=rows, notice=notice,
                    exports=exports(), lms_exports=lms_exports())


@guarded(assignment=True)
def dashboard(asked: Asked) -> Response:
    view = _class(asked)
    links = {sid: {"instructor": f"relatorios/{sid}"} for sid in view.jobs}
    return page(render_index(view.results, asked.cat, links))


@guarded(assignment=True)
def instructor_report(asked: Asked) -> Response:
    served, cat = asked.served, asked.cat
    view = _class(asked)
    student = asked.request.path_params["student"]
    result = next((r for r in view.results.submissions if r.id == student), None)
    if result is None:
        return _not_found(asked)
    return page(render_submission_report(result, served.spec, cat, view.facts[student],
                                         asked.server.grader.reference(served.spec.id), show_hidden=True,
                                         kinds=served.registry))


def _not_found(asked: Asked) -> Response:
    return message_page(asked.request, asked.session, "serve.not_found", 404, kind="error")


# ------------------------------------------------------------------ self-checks (read only)
@guarded(assignment=True)
def self_checks(asked: Asked) -> Response:
    """Every self-check (verificação) of the assignment: who, when, what it scored on the visible checks."""
    server, served, cat = asked.server, asked.served, asked.cat
    reference = server.grader.reference(served.spec.id)
    rows = []
    for job in server.queue.of_assignment(served.spec.id, "verificacao"):
        score = None
        if job.state == "done":
            result, _ = score_job(job, served, reference, cat, visible_only=True)
            score = cat("serve.attempt.score", score=cat.number(result.final_score),
                        max_score=cat.number(result.max_score))
        rows.append(dict(id=job.id, student=job.student, when=moment(job.submitted, cat), filename=job.filename,
                         score=score, state=job.state))
    return page_for(asked.request, "checks.html.j2", asked.session, title=served.spec.title,
                    assignment=served.spec.id, checks=rows)


@guarded(assignment=True)
def self_check_report(asked: Asked) -> Response:
    """One self-check's report, as its student saw it (visible checks), with the reference beside it."""
    server, served, cat = asked.server, asked.served, asked.cat
    job_id = asked.request.path_params["job"]
    job = server.queue.get(int(job_id)) if job_id.isdigit() else None
    if job is None or job.assignment != served.spec.id or job.mode != "verificacao" or job.state != "done":
        return _not_found(asked)
    reference = server.grader.reference(served.spec.id)
    result, facts = score_job(job, served, reference, cat, visible_only=True)
    return page(render_submission_report(result, served.visible_spec, cat, facts, reference, show_hidden=True,
                                         kinds=served.registry))


# ------------------------------------------------------------------ review
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


def _review(asked: Asked, problem: str | None = None, status: int = 200) -> Response:
    return page_for(asked.request, "review.html.j2", asked.session, status, title=asked.served.spec.title,
                    assignment=asked.served.spec.id, entries=_review_entries(_class(asked), asked.cat),
                    problem=problem)


@guarded(assignment=True)
def review_page(asked: Asked) -> Response:
    return _review(asked)


@guarded(assignment=True, form=True)
def decide(asked: Asked) -> Response:
    """A decision on a check or an item of the review queue, refused (in the reader's language) when it cannot fit."""
    served, form, cat = asked.served, asked.form, asked.cat
    view = _class(asked)
    result = next((r for r in view.results.submissions if r.id == form.get("submission")), None)
    target, item = str(form.get("target") or ""), bool(form.get("item"))
    if result is None or not (item or any(c.id == target for c in result.checks)):
        return _not_found(asked)
    try:
        points = None if item else parse_points(str(form.get("points") or "").strip() or None)
        decision = make_decision(result, target, item, str(form.get("section") or "") or None, points,
                                 str(form.get("comment") or ""), asked.session.identity.name or asked.session.identity.user,
                                 cat)
    except UsageError as exc:
        return _review(asked, refusal_text(exc, cat), 400)
    _save_decision(served, decision)
    return RedirectResponse(f"/professor/tarefas/{served.spec.id}/revisao", 303)


def refusal_text(exc: UsageError, cat: Catalogue) -> str:
    """Why a decision was refused, as the review form says it (``serve.review.refused.*``: no command-line flags)."""
    key = f"serve.review.refused.{(exc.key or '').rsplit('.', 1)[-1]}"
    return cat.render(key, exc.params) if key in cat.messages else exc.render(cat)


def _save_decision(served: Served, decision: Decision) -> None:
    served.decisions_file.parent.mkdir(parents=True, exist_ok=True)
    current = load_decisions(served.decisions_file if served.decisions_file.is_file() else None)
    save_decisions(served.decisions_file, with_decision(current, decision))


# ------------------------------------------------------------------ release
@guarded(assignment=True, form=True)
def release(asked: Asked) -> Response:
    sent, failed = _release(asked.server, asked.served, asked.session)
    return RedirectResponse(f"/professor?lms={sent}&falhas={failed}" if sent or failed else "/professor", 303)


def _release(server: Server, served: Served, session: Session) -> tuple[int, int]:
    """Record the class's grades in the store's gradebook, show them to the students, send them to the LMS.

    Returns how many scores the LMS took and how many it did not (each failure logged).
    """
    reference = server.grader.reference(served.spec.id)
    view = class_view(server.queue, served, reference, load_catalogue(session.lang))
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


# ------------------------------------------------------------------ similarity and downloads
@guarded(assignment=True)
def similarity(asked: Asked) -> Response:
    """The similar hand-ins of the class (a signal for the teacher to read, as ``grader similarity`` shows it)."""
    server, served = asked.server, asked.served
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
    return page(render_similarity_page(findings, asked.cat, title=served.spec.title, reports=reports))


@guarded(assignment=True)
def grades_csv(asked: Asked) -> Response:
    return _download(asked, "csv")


@guarded(assignment=True)
def export(asked: Asked) -> Response:
    """Any export format that needs no file from the LMS (csv, junit, plugins): the class as released now."""
    name = asked.request.path_params["format"]
    exporter = available_exporters().get(name)
    if exporter is None or exporter.needs_roster:
        return _not_found(asked)
    return _download(asked, name)


@guarded(assignment=True, form=True, files=1)
def lms_export(asked: Asked) -> Response:
    """The LMS's own file (Canvas gradebook export, Moodle grading worksheet), filled with the class's grades.

    The instructor uploads the file the LMS gave; the export of ``grader export`` fills it. A file
    the export cannot read is said plainly (400), in the reader's language.
    """
    name = asked.request.path_params["format"]
    exporter = available_exporters().get(name)
    upload = asked.form.get("roster")
    if exporter is None or not exporter.needs_roster:
        return _not_found(asked)
    if upload is None or isinstance(upload, str) or not upload.filename:
        return message_page(asked.request, asked.session, "serve.export.no_file", 400, kind="error",
                            back="/professor")
    column = str(asked.form.get("column") or "").strip() or None
    try:
        return _download(asked, name, roster=upload.file.read(), column=column)
    except UsageError as exc:
        return message_page(asked.request, asked.session, "serve.export.refused", 400, kind="error",
                            back="/professor", reason=exc.render(asked.cat))


def _download(asked: Asked, name: str, roster: bytes | None = None, column: str | None = None) -> Response:
    """The class's hand-ins as the export ``name`` writes them (from the LMS's file ``roster`` when it needs one)."""
    exporter, served = available_exporters()[name], asked.served
    view = _class(asked)
    with tempfile.TemporaryDirectory(prefix="grader-serve-") as folder:
        path, given = Path(folder) / exporter.filename, None
        if roster is not None:
            given = Path(folder) / "lms-file.csv"  # the uploaded file's own name is never a path here
            given.write_bytes(roster)
        # the comments an LMS file carries are the students' to read: in the course's language, as the passback's
        exporter(view.results, path, ExportOptions(roster=given, column=column, lang="pt"))
        content = path.read_bytes()
    kind = "text/csv; charset=utf-8" if exporter.filename.endswith(".csv") else "application/octet-stream"
    return Response(content, media_type=kind, headers={
        "Content-Disposition": f'attachment; filename="{served.spec.id}-{exporter.filename}"'})


def exports() -> list[str]:
    """The formats the instructor's page offers as links (those that need no file from the LMS)."""
    return sorted(name for name, exporter in available_exporters().items() if not exporter.needs_roster)


def lms_exports() -> list[str]:
    """The formats that fill the LMS's own file (Canvas, Moodle): a form with the file to upload."""
    return sorted(name for name, exporter in available_exporters().items() if exporter.needs_roster)
