"""LTI 1.3 against a simulated LMS on loopback (tests/serve/platform.py): a launch signs a student or an
instructor in only when the id_token holds (the platform's key, audience, expiry, nonce once, state of this
browser, deployment, role), and releasing the grades posts each score to the platform's AGS endpoint."""

from __future__ import annotations

import urllib.parse

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.serve.platform import CLIENT_ID, INSTRUCTOR, LEARNER, Platform
from tests.serve.server import EXAMPLES, Client, free_port, listen, write_course

pytestmark = pytest.mark.kernel
A = "relu-exercicios"


@pytest.fixture(scope="module")
def platform():
    simulated = Platform(free_port())
    yield simulated
    simulated.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, platform):
    folder = tmp_path_factory.mktemp("serve-lti")
    port = free_port()
    course = write_course(folder, port, "entrega", extra=platform.lti_block())
    running = listen(folder, course, port, {})
    platform.tool_jwks_url = running.url + "/lti/jwks"
    yield running
    running.stop()


def login(server, platform, sub: str) -> tuple[Client, dict]:
    client = Client(server)
    reply = client.get("/lti/login?" + urllib.parse.urlencode({
        "iss": platform.url, "login_hint": sub, "client_id": CLIENT_ID, "target_link_uri": server.url + "/"}))
    assert reply.status == 302, reply.text
    location = urllib.parse.urlsplit(reply.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.url + "/auth"
    return client, {k: v[0] for k, v in urllib.parse.parse_qs(location.query).items()}


def launch(client: Client, platform, params: dict, token: str, state: str | None = None):
    return client.post("/lti/launch", {"id_token": token, "state": state or params["state"]}, origin=platform.url)


def test_the_login_asks_the_platform_for_an_id_token_with_a_fresh_state_and_nonce(server, platform):
    client, params = login(server, platform, "u-ana")
    assert params["response_type"] == "id_token" and params["response_mode"] == "form_post"
    assert params["client_id"] == CLIENT_ID and params["redirect_uri"] == server.url + "/lti/launch"
    assert params["login_hint"] == "u-ana" and params["scope"] == "openid"
    assert client.cookies["grader_lti_state"] == params["state"]
    _, again = login(server, platform, "u-ana")
    assert again["state"] != params["state"] and again["nonce"] != params["nonce"]


def test_a_learner_launch_signs_the_roster_student_in(server, platform):
    client, params = login(server, platform, "u-ana")
    token = platform.id_token(params["nonce"], "u-ana", [LEARNER], email="ana@exemplo.br", name="Ana Souza")
    reply = launch(client, platform, params, token)
    assert reply.status == 303 and reply.headers["location"] == "/"
    page = client.get("/").text
    assert "Minhas tarefas" in page and "Ana Souza" in page
    assert launch(Client(server), platform, params, token).status == 400  # the same token again: refused


def refusals(platform, params):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nonce = params["nonce"]
    return {
        "another key": platform.id_token(nonce, "u-x", [LEARNER], key=other),
        "another audience": platform.id_token(nonce, "u-x", [LEARNER], audience="someone-else"),
        "expired": platform.id_token(nonce, "u-x", [LEARNER], expires=-120),
        "another nonce": platform.id_token("not-the-nonce", "u-x", [LEARNER]),
        "unknown deployment": platform.id_token(nonce, "u-x", [LEARNER], deployment="deploy-9"),
        "no known role": platform.id_token(nonce, "u-x", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Guest"]),
    }


@pytest.mark.parametrize("defect", ["another key", "another audience", "expired", "another nonce",
                                    "unknown deployment", "no known role", "another browser's state"])
def test_a_launch_that_does_not_hold_signs_nobody_in(server, platform, defect):
    client, params = login(server, platform, "u-x")
    if defect == "another browser's state":
        _, theirs = login(server, platform, "u-x")
        token = platform.id_token(theirs["nonce"], "u-x", [LEARNER])
        reply = launch(client, platform, theirs, token, state=theirs["state"])
    else:
        reply = launch(client, platform, params, refusals(platform, params)[defect])
    assert reply.status == 400
    assert "grader_session" not in client.cookies and client.get("/professor").status == 404
    assert "Minhas tarefas" not in client.get("/").text


def test_releasing_grades_posts_each_score_to_the_platform(server, platform):
    ana, params = login(server, platform, "u-ana")
    assert launch(ana, platform, params, platform.id_token(
        params["nonce"], "u-ana", [LEARNER], email="ana@exemplo.br", name="Ana Souza")).status == 303
    reply = ana.upload(EXAMPLES / "01-correta.ipynb", ana.csrf())
    job = int(reply.headers["location"].rsplit("/", 1)[1])
    ana.wait_done(job)

    profa, params = login(server, platform, "u-profa")
    reply = launch(profa, platform, params, platform.id_token(params["nonce"], "u-profa", [INSTRUCTOR],
                                                              email="profa@exemplo.br", name="Profa. Silva"))
    assert reply.status == 303 and reply.headers["location"] == "/professor"
    released = profa.post(f"/professor/tarefas/{A}/liberar", {"csrf": profa.csrf()})
    assert released.status == 303 and "lms=1&falhas=0" in released.headers["location"]
    assert "Notas enviadas ao ambiente virtual: 1" in profa.get(released.headers["location"]).text

    assert len(platform.token_requests) == 1
    assert platform.token_requests[0]["grant_type"] == "client_credentials"
    [score] = platform.scores
    assert score["type"] == "application/vnd.ims.lis.v1.score+json" and score["path"].endswith("/lineitem/scores")
    assert score["userId"] == "u-ana" and score["scoreGiven"] == 20 and score["scoreMaximum"] == 20
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert "20" in score["comment"] and server.url in score["comment"]
