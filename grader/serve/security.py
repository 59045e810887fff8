"""Security of the server's responses and requests: headers with a hashed CSP, capped uploads, quiet logs.

Pages carry no script or style but their own inline blocks, rendered from the project's
templates (autoescaped: a student's text never becomes markup); each response's CSP allows
exactly those blocks by their SHA-256, so no other script can run. Request bodies are read
with a cap while they stream, before any parsing. The request log names the path with any
sign-in token cut out.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import time

from starlette.requests import Request
from starlette.responses import HTMLResponse

log = logging.getLogger("grader.serve.access")
_BLOCK = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)
_TOKEN_PATH = re.compile(r"^(/(?:entrar|signin)/)[^/?]+")


def block_hashes(html: str) -> dict[str, list[str]]:
    """CSP sources for each inline ``<script>`` and ``<style>`` block of ``html``."""
    found: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _BLOCK.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        found[tag].append(f"'sha256-{digest}'")
    return found


def content_security_policy(html: str) -> str:
    hashes = block_hashes(html)
    return "; ".join([
        "default-src 'none'",
        f"script-src {' '.join(hashes['script']) or chr(39) + 'none' + chr(39)}",
        f"style-src-elem {' '.join(hashes['style']) or chr(39) + 'none' + chr(39)}",
        "style-src-attr 'unsafe-inline'",  # the reports' bars and plots (no script can come through it)
        "img-src data:", "font-src data:", "connect-src 'self'", "form-action 'self'",
        "base-uri 'none'", "frame-ancestors 'none'",
    ])


COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no Referer to other sites; sign-in links redirect at once anyway
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page(html: str, status_code: int = 200) -> HTMLResponse:
    """An HTML response whose CSP allows its own inline blocks only."""
    return HTMLResponse(html, status_code, headers={"Content-Security-Policy": content_security_policy(html)})


class SecurityHeaders:
    """ASGI middleware: the common security headers on every response (HSTS behind HTTPS), a CSP by default."""

    def __init__(self, app, https: bool = False) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, path = time.monotonic(), redact(scope.get("path", ""))

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                present = {k.lower() for k, _ in headers}
                extra = dict(COMMON_HEADERS)
                if b"content-security-policy" not in present:
                    extra["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
                if self.https:
                    extra["Strict-Transport-Security"] = "max-age=31536000"
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()
                            if k.lower().encode() not in present]
                message = {**message, "headers": headers}
                log.info("%s %s %s %.0f ms", scope.get("method"), path, message["status"],
                         (time.monotonic() - started) * 1000)
            await send(message)

        await self.app(scope, receive, with_headers)


def redact(path: str) -> str:
    """``path`` with a sign-in token replaced by ``…``: tokens never reach a log."""
    return _TOKEN_PATH.sub(r"\1…", path)


class TooLarge(Exception):
    """A request body went over its cap while it streamed."""


async def read_capped(request: Request, cap: int) -> bytes:
    """The request's body, refused as soon as it passes ``cap`` bytes (announced or streamed)."""
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > cap:
        raise TooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise TooLarge()
    return bytes(body)


def replay(body: bytes):
    """An ASGI ``receive`` that hands ``body`` over again (to parse a body already read and capped)."""
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
