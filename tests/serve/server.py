"""A real ``grader serve`` for the tests: a course in a tmp folder, uvicorn in a subprocess on a free port."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assignments" / "relu-exercicios" / "examples"
ROSTER = "id,name,email\nana,Ana Souza,ana@exemplo.br\nbruno,Bruno Lima,bruno@exemplo.br\ncarla,Carla Dias,carla@exemplo.br\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_course(folder: Path, port: int, mode: str, cooldown_minutes: float = 10, queue_limit: int = 5,
                 extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "turma.csv").write_text(ROSTER, encoding="utf-8")
    course = folder / "curso.toml"
    course.write_text(f"""
[course]
title = "Redes Neurais (teste)"
secret_key = "segredo.key"
data = "dados"
roster = "turma.csv"
base_url = "http://127.0.0.1:{port}"
instructors = ["profa"]
queue_limit = {queue_limit}
upload_mb = 1

[[assignments]]
id = "relu-exercicios"
mode = "{mode}"
cooldown_minutes = {cooldown_minutes}
{extra}
""", encoding="utf-8")
    return course


@dataclass
class RunningServer:
    process: subprocess.Popen
    url: str
    links: dict[str, str]
    course: Path
    cookies: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def log(self) -> str:
        return (self.course.parent / "dados" / "serve.log").read_text(encoding="utf-8", errors="replace")


def _grader(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "grader.cli", *args], env=env, **kwargs)


def start_server(folder: Path, mode: str, options: tuple[str, ...] = (), **course) -> RunningServer:
    """``grader serve`` (with ``options``) on a new course in ``folder``, and every user's sign-in link."""
    port = free_port()
    path = write_course(folder, port, mode, **course)
    return listen(folder, path, port, links_of(path), options)


def links_of(course: Path, *options: str) -> dict[str, str]:
    """``grader serve links`` (with ``options``): each user's sign-in link."""
    listing = _grader("serve", "links", str(course), *options, stdout=subprocess.PIPE, text=True)
    out, _ = listing.communicate(timeout=60)
    return {row.split(",")[0]: row.split(",")[3] for row in out.strip().splitlines()[1:]}


def listen(folder: Path, path: Path, port: int, links: dict[str, str], options: tuple[str, ...] = ()) -> RunningServer:
    """``grader serve`` on the course at ``path`` (again, after a stop), once it accepts connections."""
    process = _grader("serve", str(path), "--port", str(port), *options, stdout=subprocess.DEVNULL,
                      stderr=(folder / "stderr.txt").open("w"))
    server = RunningServer(process, f"http://127.0.0.1:{port}", links, path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"grader serve exited: {(folder / 'stderr.txt').read_text()}")
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("grader serve did not listen within 60 s")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """A browser-less user of the server: cookies kept, no redirects followed."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        parsed = urllib.parse.urlsplit(self.server.url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str], origin: str | None = None) -> Reply:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if origin:
            headers["Origin"] = origin
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), headers)

    def sign_in(self, user: str) -> "Client":
        link = self.server.links[user]
        reply = self.get(urllib.parse.urlsplit(link).path)
        assert reply.status == 303, reply.status
        return self

    def csrf(self) -> str:
        """The session's CSRF token, from the student's page or, for an instructor, the instructor's."""
        import re

        for path in ("/", "/professor"):
            found = re.search(r'name="csrf" value="([^"]+)"', self.get(path).text)
            if found:
                return found.group(1)
        raise AssertionError("no form with a CSRF token: not signed in?")

    def upload(self, notebook: Path, csrf: str, assignment: str = "relu-exercicios",
               filename: str | None = None, data: bytes | None = None) -> Reply:
        content = data if data is not None else notebook.read_bytes()
        return self.post_file(f"/tarefas/{assignment}/enviar", {"csrf": csrf}, "notebook", filename or notebook.name,
                              content, "application/json")

    def post_file(self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes,
                  kind: str = "text/csv") -> Reply:
        """A multipart form as a browser posts it: ``fields``, then one file in the field ``name``."""
        boundary = "----grader-test-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in fields.items()]
        parts += [(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n').encode(),
                  content, f"\r\n--{boundary}--\r\n".encode()]
        return self.request("POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def wait_done(self, job: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = json.loads(self.get(f"/tentativas/{job}/estado").body)
            if state["state"] == "done":
                return
            time.sleep(0.5)
        raise AssertionError(f"job {job} not done within {timeout} s")
