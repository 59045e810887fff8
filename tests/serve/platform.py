"""A simulated LMS for the LTI 1.3 tests, on loopback: its own RSA key, a JWKS, a token and an AGS endpoint.

It signs the id_tokens a launch carries (``id_token``), answers the tool's client-credentials
request after checking the tool's assertion against the tool's JWKS, and records every score
the tool posts.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, DEPLOYMENT = "grader-tool-1", "deploy-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TOKEN = "platform-access-token-7f3a"


class Platform:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.scores: list[dict] = []
        self.token_requests: list[dict] = []
        self.tool_jwks_url: str | None = None
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: dict | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(platform.key.public_key()))
                    self._reply(200, {"keys": [{**public, "kid": "platform-key", "alg": "RS256", "use": "sig"}]})
                else:
                    self._reply(404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/token":
                    self._reply(*platform.token(dict(urllib.parse.parse_qsl(body.decode()))))
                elif self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                    if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                        self._reply(401)
                        return
                    platform.scores.append({"path": self.path, "type": self.headers.get("Content-Type"),
                                            **json.loads(body)})
                    self._reply(200)
                else:
                    self._reply(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lti_block(self) -> str:
        return f"""
[[lti]]
issuer = "{self.url}"
client_id = "{CLIENT_ID}"
deployment_ids = ["{DEPLOYMENT}"]
auth_login_url = "{self.url}/auth"
auth_token_url = "{self.url}/token"
jwks_url = "{self.url}/jwks"
"""

    def token(self, form: dict) -> tuple[int, dict]:
        """Client credentials with a JWT assertion, checked against the tool's published key."""
        self.token_requests.append(form)
        try:
            key = jwt.PyJWKClient(self.tool_jwks_url).get_signing_key_from_jwt(form["client_assertion"]).key
            jwt.decode(form["client_assertion"], key, algorithms=["RS256"], audience=f"{self.url}/token",
                       issuer=CLIENT_ID)
        except (jwt.PyJWTError, KeyError) as exc:
            return 401, {"error": f"invalid_client: {exc}"}
        return 200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope")}

    def id_token(self, nonce: str, sub: str, roles: list[str], *, email: str = "", name: str = "",
                 key=None, audience: str = CLIENT_ID, expires: int = 300, deployment: str = DEPLOYMENT,
                 assignment: str = "relu-exercicios") -> str:
        now = int(time.time())
        claims = {
            "iss": self.url, "aud": audience, "sub": sub, "iat": now, "exp": now + expires, "nonce": nonce,
            "name": name, "email": email,
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": deployment, CLAIM + "roles": roles,
            CLAIM + "resource_link": {"id": "link-1"}, CLAIM + "custom": {"assignment": assignment},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": f"{self.url}/lineitems/{uuid.uuid4().hex[:6]}/lineitem"},
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "platform-key"})

    def stop(self) -> None:
        self.server.shutdown()
