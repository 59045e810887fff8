"""LTI 1.3 for ``grader serve``: launches from Moodle or Canvas, and scores back through AGS.

The OIDC third-party login: the platform calls ``/lti/login``; the tool answers with a
redirect to the platform's authorization endpoint carrying a fresh ``state`` (also in a
cookie of this browser) and ``nonce`` (kept in the store, good once); the platform posts an
``id_token`` to ``/lti/launch``, which is checked against the platform's published keys
(signature, issuer, audience, expiry, nonce, deployment, message type and version) before
anyone is signed in. Roles map to student or instructor. Grades go back, on release, as
AGS scores, with an access token got by a JWT client assertion signed with the tool's key.

PyJWT (with ``cryptography``) checks the tokens and fetches the keys rather than PyLTI1p3:
PyLTI1p3's launch flow is written against Django and Flask request, session, cookie and
cache objects and makes blocking ``requests`` calls; adapting all of those to Starlette
is more surface than the checks themselves, which here are one ``jwt.decode`` call with
every claim required.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from grader.serve.course import Course, LtiPlatform
from grader.store import BUSY_SECONDS

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
INSTRUCTOR_ROLES = ("membership#Instructor", "membership#Administrator", "membership#ContentDeveloper",
                    "membership/Instructor#TeachingAssistant", "institution/person#Administrator")
LEARNER_ROLES = ("membership#Learner",)
STATE_SECONDS = 600  # a login must reach its launch within this time
HTTP_TIMEOUT = 20.0
TABLES = """
CREATE TABLE IF NOT EXISTS serve_lti_states (
    state TEXT PRIMARY KEY, nonce TEXT NOT NULL, issuer TEXT NOT NULL, created REAL NOT NULL, used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_lti_links (
    user TEXT NOT NULL, assignment TEXT NOT NULL, issuer TEXT NOT NULL, client_id TEXT NOT NULL, sub TEXT NOT NULL,
    lineitem TEXT NOT NULL, PRIMARY KEY (user, assignment)
);
"""


class LaunchRefused(Exception):
    """A login or launch that does not sign anyone in; the reason is for the log, never the page."""


@dataclass(frozen=True)
class Launch:
    """What a checked ``id_token`` says: who, with which role, from where, and where to send the score."""

    platform: LtiPlatform
    sub: str
    role: str  # student | instructor
    name: str
    email: str
    assignment: str | None
    lineitem: str | None


# ------------------------------------------------------------------ the tool's key
class ToolKey:
    """The tool's RSA key (made at the first start, owner-readable): signs client assertions; public in /lti/jwks."""

    def __init__(self, path: Path) -> None:
        if path.is_file():
            self.private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
            path.touch(0o600)
            path.write_bytes(pem)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        digest = hashlib.sha256(json.dumps(public, sort_keys=True).encode()).digest()
        self.kid = jwt.utils.base64url_encode(digest[:12]).decode()
        self.public_jwk = {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def jwks(self) -> dict:
        return {"keys": [self.public_jwk]}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


# ------------------------------------------------------------------ login and launch
class Lti:
    """The LTI side of the server: states and nonces in the store's file, the platforms' key sets cached."""

    def __init__(self, course: Course, key: ToolKey) -> None:
        self.course, self.key = course, key
        self._jwks = {p.issuer: jwt.PyJWKClient(p.jwks_url, timeout=HTTP_TIMEOUT) for p in course.lti}
        with closing(self._connect()) as db, db:
            db.executescript(TABLES)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.course.store_path, timeout=BUSY_SECONDS)

    def login(self, params: dict[str, str], redirect_uri: str) -> tuple[str, str]:
        """The OIDC login initiation: (the platform's authorization URL to redirect to, the state for the cookie)."""
        platform = self.course.platform(params.get("iss", ""), params.get("client_id") or None)
        if platform is None or not params.get("login_hint"):
            raise LaunchRefused(f"login from an unknown platform {params.get('iss')!r}")
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM serve_lti_states WHERE created < ?", (time.time() - STATE_SECONDS,))
            db.execute("INSERT INTO serve_lti_states VALUES (?, ?, ?, ?, 0)", (state, nonce, platform.issuer,
                                                                                time.time()))
        query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
                 "client_id": platform.client_id, "redirect_uri": redirect_uri, "login_hint": params["login_hint"],
                 "state": state, "nonce": nonce}
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        return f"{platform.auth_login_url}?{urllib.parse.urlencode(query)}", state

    def launch(self, id_token: str, state: str, cookie_state: str | None) -> Launch:
        """The checked launch of ``id_token``; :class:`LaunchRefused` for anything that does not hold."""
        if not state or not cookie_state or not secrets.compare_digest(state, cookie_state):
            raise LaunchRefused("the state does not match this browser's login")
        try:
            unverified = jwt.decode(id_token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise LaunchRefused(f"malformed id_token: {exc}") from None
        platform = self.course.platform(str(unverified.get("iss", "")))
        if platform is None:
            raise LaunchRefused("id_token from an unknown issuer")
        try:
            key = self._jwks[platform.issuer].get_signing_key_from_jwt(id_token).key
            claims = jwt.decode(id_token, key, algorithms=["RS256"], audience=platform.client_id,
                                issuer=platform.issuer, leeway=30,
                                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]})
        except jwt.PyJWTError as exc:
            raise LaunchRefused(f"id_token refused: {type(exc).__name__}: {exc}") from None
        self._use_state(state, str(claims["nonce"]), platform.issuer)
        return _launch_of(platform, claims)

    def _use_state(self, state: str, nonce: str, issuer: str) -> None:
        """The state was issued here, recently, to this platform, for this nonce, and was never used before."""
        with closing(self._connect()) as db, db:
            used = db.execute("UPDATE serve_lti_states SET used=1 WHERE state=? AND nonce=? AND issuer=? AND used=0 "
                              "AND created >= ?", (state, nonce, issuer, time.time() - STATE_SECONDS)).rowcount
        if used != 1:
            raise LaunchRefused("the nonce is unknown, expired or used already")

    def remember(self, user: str, launch: Launch) -> None:
        """Where this user's score for the launched assignment goes back to (AGS line item)."""
        if launch.assignment is None or launch.lineitem is None:
            return
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO serve_lti_links VALUES (?, ?, ?, ?, ?, ?)",
                       (user, launch.assignment, launch.platform.issuer, launch.platform.client_id, launch.sub,
                        launch.lineitem))

    def links(self, assignment: str) -> dict[str, tuple[str, str, str, str]]:
        """Each user's (issuer, client id, sub, line item) for ``assignment``."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT user, issuer, client_id, sub, lineitem FROM serve_lti_links WHERE assignment=?",
                              (assignment,)).fetchall()
        return {r[0]: tuple(r[1:]) for r in rows}

    # -------------------------------------------------------------- grade passback
    def access_token(self, platform: LtiPlatform) -> str:
        """An AGS access token from the platform, asked with a client assertion signed by the tool's key."""
        now = int(time.time())
        assertion = self.key.sign({"iss": platform.client_id, "sub": platform.client_id,
                                   "aud": platform.auth_token_url, "iat": now, "exp": now + 300,
                                   "jti": str(uuid.uuid4())})
        body = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion, "scope": SCORE_SCOPE}).encode()
        request = urllib.request.Request(platform.auth_token_url, body,
                                         {"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as reply:
            return str(json.loads(reply.read())["access_token"])

    def post_score(self, lineitem: str, token: str, sub: str, score: float, maximum: float, comment: str) -> None:
        score_url = _scores_url(lineitem)
        body = json.dumps({"userId": sub, "scoreGiven": score, "scoreMaximum": maximum, "comment": comment,
                           "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                           "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())}).encode()
        request = urllib.request.Request(score_url, body, {
            "Authorization": f"Bearer {token}", "Content-Type": "application/vnd.ims.lis.v1.score+json"})
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT):
            pass


def _scores_url(lineitem: str) -> str:
    """The line item's ``/scores`` service (its query string kept after the path)."""
    parts = urllib.parse.urlsplit(lineitem)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _role(roles: object) -> str:
    names = [str(r) for r in roles] if isinstance(roles, list) else []
    if any(r.endswith(suffix) for r in names for suffix in INSTRUCTOR_ROLES):
        return "instructor"
    if any(r.endswith(suffix) for r in names for suffix in LEARNER_ROLES):
        return "student"
    raise LaunchRefused(f"no role this tool knows: {names}")


def _launch_of(platform: LtiPlatform, claims: dict) -> Launch:
    if claims.get(CLAIM + "message_type") != "LtiResourceLinkRequest" or claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchRefused("not an LTI 1.3 resource link launch")
    if claims.get(CLAIM + "deployment_id") not in platform.deployment_ids:
        raise LaunchRefused("a deployment this course does not know")
    custom = claims.get(CLAIM + "custom") if isinstance(claims.get(CLAIM + "custom"), dict) else {}
    ags = claims.get(AGS_CLAIM) if isinstance(claims.get(AGS_CLAIM), dict) else {}
    lineitem = ags.get("lineitem") if SCORE_SCOPE in (ags.get("scope") or []) else None
    return Launch(platform, str(claims["sub"]), _role(claims.get(CLAIM + "roles")), str(claims.get("name") or ""),
                  str(claims.get("email") or ""), str(custom["assignment"]) if custom.get("assignment") else None,
                  str(lineitem) if lineitem else None)
