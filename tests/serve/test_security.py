"""Tokens, CSRF, the CSP's hashes, the log's redaction and the course file: fast, no server."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from grader.errors import UsageError
from grader.serve.course import load_course, secret_key
from grader.serve.security import block_hashes, content_security_policy, redact
from grader.serve.tokens import Identity, Tokens, csrf_matches, new_session

KEY = bytes(range(32))
ANA = Identity("ana", "student", "Ana Souza", generation=0)  # her first link


def test_a_sign_in_link_names_its_student():
    tokens = Tokens(KEY, 3600)
    assert tokens.read_signin(tokens.signin_token(ANA)) == ANA


@pytest.mark.parametrize("spoil", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
    lambda t: t.replace(t.split(".")[0], base64.urlsafe_b64encode(b'{"u":"bruno","r":"student"}').decode().rstrip("=")),
    lambda t: "",
    lambda t: "not-a-token",
])
def test_a_spoiled_link_names_nobody(spoil):
    tokens = Tokens(KEY, 3600)
    assert tokens.read_signin(spoil(tokens.signin_token(ANA))) is None


def test_a_link_signed_with_another_key_names_nobody():
    assert Tokens(KEY, 3600).read_signin(Tokens(bytes(32), 3600).signin_token(ANA)) is None


def test_an_expired_link_names_nobody(monkeypatch):
    tokens = Tokens(KEY, 60)
    token = tokens.signin_token(ANA)
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert tokens.read_signin(token) is None


def test_a_sign_in_link_is_not_a_session_nor_the_reverse():
    tokens = Tokens(KEY, 3600)
    session = new_session(ANA)
    assert tokens.read_session(tokens.signin_token(ANA)) is None
    assert tokens.read_signin(tokens.session_value(session)) is None
    assert tokens.read_session(tokens.session_value(session)) == session


def test_a_revoked_link_and_its_sessions_no_longer_hold_and_the_new_link_does(tmp_path):
    from grader.serve.revocations import LinkGenerations

    generations = LinkGenerations(tmp_path / "store.sqlite")
    tokens = Tokens(KEY, 3600)
    old = tokens.read_signin(tokens.signin_token(ANA))
    session = tokens.read_session(tokens.session_value(new_session(old)))
    assert generations.holds(old) and generations.holds(session.identity)
    assert generations.revoke("ana") == 1
    assert not generations.holds(old) and not generations.holds(session.identity)
    new = tokens.read_signin(tokens.signin_token(Identity("ana", "student", "Ana Souza", generation=1)))
    assert generations.holds(new)
    assert generations.holds(Identity("bruno", "student", generation=0))  # the others' links are untouched
    assert generations.holds(Identity("ana", "student"))  # signed in by no link (LTI): not concerned
    assert LinkGenerations(tmp_path / "store.sqlite").current("ana") == 1  # kept in the store


def test_a_link_made_before_links_had_generations_is_the_first_one():
    from itsdangerous import URLSafeTimedSerializer

    from grader.serve.tokens import SIGNIN

    token = URLSafeTimedSerializer(KEY, salt=SIGNIN).dumps({"u": "ana", "r": "student", "n": "Ana Souza"})
    assert Tokens(KEY, 3600).read_signin(token) == ANA


def test_a_role_the_server_does_not_know_is_refused():
    tokens = Tokens(KEY, 3600)
    assert tokens.read_signin(tokens.signin_token(Identity("ana", "admin"))) is None


def test_csrf_needs_the_session_token():
    session = new_session(ANA)
    assert csrf_matches(session, session.csrf)
    assert not csrf_matches(session, session.csrf[:-1] + "x")
    assert not csrf_matches(session, None)
    assert not csrf_matches(None, session.csrf)
    assert new_session(ANA).csrf != session.csrf


def test_the_csp_allows_exactly_the_pages_own_inline_blocks():
    html = "<style>b{}</style><p>x</p><script>go()</script>"
    digest = base64.b64encode(hashlib.sha256(b"go()").digest()).decode()
    assert block_hashes(html)["script"] == [f"'sha256-{digest}'"]
    policy = content_security_policy(html)
    assert f"script-src 'sha256-{digest}'" in policy and "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert "script-src 'none'" in content_security_policy("<p>no script</p>")


def test_sign_in_tokens_are_cut_out_of_logged_paths():
    assert redact("/entrar/eyJ1Ijo.abc.def") == "/entrar/…"
    assert redact("/tentativas/3") == "/tentativas/3"


def test_the_course_file_names_its_mistakes(tmp_path):
    course = tmp_path / "curso.toml"
    course.write_text('[course]\n[[assignments]]\nid = "relu-exercicios"\nmode = "prova"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"curso.toml: \[\[assignments\]\] #1: 'mode' must be"):
        load_course(course)
    course.write_text('[[assignments]]\nid = "relu-exercicios"\nmode = "verificação"\nopens = 2026-03-01T00:00:00-03:00\n',
                      encoding="utf-8")
    loaded = load_course(course)
    assert loaded.assignments[0].mode == "verificacao" and loaded.assignments[0].opens.utcoffset() is not None


def test_the_secret_key_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "segredo.key"
    key = secret_key(path)
    assert len(key) == 32 and secret_key(path) == key
    assert path.stat().st_mode & 0o077 == 0
