"""Signed tokens: sign-in links, the session cookie's value, CSRF tokens.

Every token is signed with the server's key (itsdangerous, HMAC-SHA256) and carries a
purpose (its salt), so a CSRF token is never a sign-in link nor a session.
"""

from __future__ import annotations

import dataclasses
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SIGNIN, SESSION = "grader-serve-signin", "grader-serve-session"
ROLES = ("student", "instructor")
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Identity:
    """Who a request comes from: a roster id or an instructor's name, with the role.

    ``generation``: which of the user's sign-in links it came by (a revoked link's is no longer
    the user's current one); ``None`` when it came by no link (an LTI launch).
    """

    user: str
    role: str
    name: str = ""
    generation: int | None = None


@dataclass(frozen=True)
class Session:
    identity: Identity
    csrf: str
    lang: str = "pt"


class Tokens:
    """Makes and reads the server's signed tokens."""

    def __init__(self, key: bytes, link_seconds: float) -> None:
        self._signin = URLSafeTimedSerializer(key, salt=SIGNIN)
        self._session = URLSafeTimedSerializer(key, salt=SESSION)
        self.link_seconds = link_seconds

    def signin_token(self, identity: Identity) -> str:
        return self._signin.dumps({"u": identity.user, "r": identity.role, "n": identity.name,
                                   "g": identity.generation or 0})

    def read_signin(self, token: str) -> Identity | None:
        """The identity a sign-in link names, or None (forged, expired, malformed)."""
        try:
            data = self._signin.loads(token, max_age=self.link_seconds)
        except BadSignature:
            return None
        identity = _identity(data)
        if identity is None or identity.generation is not None:
            return identity
        return dataclasses.replace(identity, generation=0)  # a link made before links had generations

    def session_value(self, session: Session) -> str:
        who = session.identity
        return self._session.dumps({"u": who.user, "r": who.role, "n": who.name, "g": who.generation,
                                    "c": session.csrf, "l": session.lang})

    def read_session(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self._session.loads(value, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        identity = _identity(data)
        if identity is None or not isinstance(data.get("c"), str) or data.get("l") not in ("pt", "en"):
            return None
        return Session(identity, data["c"], data["l"])


def _identity(data: object) -> Identity | None:
    if not isinstance(data, dict) or data.get("r") not in ROLES or not isinstance(data.get("u"), str):
        return None
    generation = data.get("g")
    return Identity(data["u"], data["r"], str(data.get("n") or ""),
                    generation if isinstance(generation, int) and not isinstance(generation, bool) else None)


def new_session(identity: Identity, lang: str = "pt") -> Session:
    return Session(identity, secrets.token_urlsafe(32), lang)


def csrf_matches(session: Session | None, sent: object) -> bool:
    """A form's CSRF field equals its session's token (compared in constant time)."""
    return session is not None and isinstance(sent, str) and hmac.compare_digest(session.csrf, sent)
