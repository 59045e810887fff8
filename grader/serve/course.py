"""The course file of ``grader serve``: assignments with their modes and dates, the roster, the key.

Parsed once into frozen dataclasses; an error names the file, the table and the key.
"""

from __future__ import annotations

import csv
import os
import secrets
import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.errors import UsageError

MODES = {"verificacao": "verificacao", "verificação": "verificacao", "entrega": "entrega"}
DEFAULT_UPLOAD_MB = 5.0
DEFAULT_QUEUE_LIMIT = 50
DEFAULT_COOLDOWN = 10 * 60.0  # seconds between two checks of one student (verificação)
DEFAULT_LINK_DAYS = 180


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class CourseAssignment:
    """One assignment as the course serves it: ``verificacao`` (visible checks, cooldown) or ``entrega``."""

    id: str
    mode: str
    opens: datetime | None = None
    closes: datetime | None = None
    cooldown: float = DEFAULT_COOLDOWN

    def open_at(self, moment: datetime) -> bool:
        return (self.opens is None or moment >= self.opens) and (self.closes is None or moment <= self.closes)


@dataclass(frozen=True)
class LtiPlatform:
    """One LMS registration (LTI 1.3): who it is, its keys and endpoints, the deployments it may launch from."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str  # the platform's OIDC authorization endpoint
    auth_token_url: str  # its OAuth 2 token endpoint (grade passback)
    jwks_url: str  # its public keys


LTI_KEYS = ("issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url", "jwks_url")


@dataclass(frozen=True)
class Course:
    path: Path
    title: str
    assignments: tuple[CourseAssignment, ...]
    roster: tuple[Student, ...]
    secret_key_path: Path
    data_dir: Path
    base_url: str = "http://127.0.0.1:8000"
    instructors: tuple[str, ...] = ("professor",)
    queue_limit: int = DEFAULT_QUEUE_LIMIT
    upload_bytes: int = int(DEFAULT_UPLOAD_MB * 2**20)
    workers: int = 1
    link_days: int = DEFAULT_LINK_DAYS
    assignments_dir: Path | None = None
    lti: tuple[LtiPlatform, ...] = ()

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite"

    def assignment(self, assignment_id: str) -> CourseAssignment | None:
        return next((a for a in self.assignments if a.id == assignment_id), None)

    def student(self, student_id: str) -> Student | None:
        return next((s for s in self.roster if s.id == student_id), None)

    def platform(self, issuer: str, client_id: str | None = None) -> LtiPlatform | None:
        return next((p for p in self.lti if p.issuer == issuer and client_id in (None, p.client_id)), None)


def _invalid(path: Path, where: str, reason: str) -> UsageError:
    message = f"{path}: {where}: {reason}"
    return UsageError(message, "usage.serve.course_invalid", file=str(path), where=where, reason=reason)


def _moment(value: object, path: Path, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    raise _invalid(path, where, "expected a date and time with its offset (2026-03-01T23:59:00-03:00)")


def _assignment(raw: dict, path: Path, number: int) -> CourseAssignment:
    where = f"[[assignments]] #{number}"
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        raise _invalid(path, where, "'id' is required (the assignment's folder name)")
    mode = MODES.get(str(raw.get("mode", "verificacao")).lower())
    if mode is None:
        raise _invalid(path, where, f"'mode' must be 'verificação' or 'entrega', not {raw.get('mode')!r}")
    cooldown = raw.get("cooldown_minutes", DEFAULT_COOLDOWN / 60)
    if not isinstance(cooldown, (int, float)) or cooldown < 0:
        raise _invalid(path, where, "'cooldown_minutes' must be a number of minutes, 0 or more")
    return CourseAssignment(raw["id"], mode, _moment(raw.get("opens"), path, where + ".opens"),
                            _moment(raw.get("closes"), path, where + ".closes"), float(cooldown) * 60)


def _platform(raw: dict, path: Path, number: int) -> LtiPlatform:
    where = f"[[lti]] #{number}"
    missing = [k for k in LTI_KEYS if not raw.get(k)]
    if missing:
        raise _invalid(path, where, f"missing {', '.join(missing)}")
    unknown = sorted(set(raw) - set(LTI_KEYS))
    if unknown:
        raise _invalid(path, where, f"unknown key(s) {', '.join(unknown)}")
    deployments = raw["deployment_ids"]
    if not isinstance(deployments, list) or not all(isinstance(d, str) for d in deployments):
        raise _invalid(path, where, "'deployment_ids' is a list of strings")
    return LtiPlatform(str(raw["issuer"]), str(raw["client_id"]), tuple(deployments), str(raw["auth_login_url"]),
                       str(raw["auth_token_url"]), str(raw["jwks_url"]))


def read_roster(path: Path) -> tuple[Student, ...]:
    """A CSV with an ``id`` column (``name`` and ``email`` optional), one student a row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise UsageError(f"cannot read the roster '{path}': {exc.strerror}", "usage.serve.roster_unreadable",
                         file=str(path), reason=exc.strerror or str(exc)) from None
    if rows and "id" not in rows[0]:
        raise _invalid(path, "header", "the roster needs an 'id' column")
    students = tuple(Student(r["id"].strip(), (r.get("name") or "").strip(), (r.get("email") or "").strip())
                     for r in rows if (r.get("id") or "").strip())
    return students


def load_course(path: Path) -> Course:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the course file '{path}': {exc.strerror}", "usage.serve.course_unreadable",
                         file=str(path), reason=exc.strerror or str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(path, "TOML", str(exc)) from None
    base = path.parent
    course = data.get("course", {})
    assignments = tuple(_assignment(raw, path, n + 1) for n, raw in enumerate(data.get("assignments", [])))
    if not assignments:
        raise _invalid(path, "[[assignments]]", "the course serves no assignment")
    roster = read_roster(base / course["roster"]) if course.get("roster") else ()
    instructors = course.get("instructors", ["professor"])
    if not isinstance(instructors, list) or not all(isinstance(i, str) and i for i in instructors):
        raise _invalid(path, "[course].instructors", "a list of names")
    try:
        return Course(
            path=path, title=str(course.get("title", "")), assignments=assignments, roster=roster,
            secret_key_path=base / course.get("secret_key", "secret.key"),
            data_dir=base / course.get("data", "serve-data"),
            base_url=str(course.get("base_url", "http://127.0.0.1:8000")).rstrip("/"),
            instructors=tuple(instructors),
            queue_limit=int(course.get("queue_limit", DEFAULT_QUEUE_LIMIT)),
            upload_bytes=int(float(course.get("upload_mb", DEFAULT_UPLOAD_MB)) * 2**20),
            workers=max(1, int(course.get("workers", 1))),
            link_days=int(course.get("link_days", DEFAULT_LINK_DAYS)),
            assignments_dir=(base / course["assignments_dir"]) if course.get("assignments_dir") else None,
            lti=tuple(_platform(raw, path, n + 1) for n, raw in enumerate(data.get("lti", []))),
        )
    except (TypeError, ValueError) as exc:
        raise _invalid(path, "[course]", str(exc)) from None


def secret_key(path: Path) -> bytes:
    """The server's signing key: read from ``path``, or made (random, readable by its owner only) when missing."""
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
        return key
    except ValueError:
        raise UsageError(f"the secret key file '{path}' does not hold a hexadecimal key", "usage.serve.bad_key",
                         file=str(path)) from None
