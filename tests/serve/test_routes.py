"""Every route of a real ``grader serve`` answers only whom it should: a student who opens another's
attempt, and anyone who opens the instructor's pages without being one, gets 404.

One server (uvicorn in a subprocess, a course in verificação mode) grades one real
relu-exercicios notebook of Ana's; Bruno, Ana herself and someone signed out then ask for
everything. Also: CSRF and Origin on forms, the upload cap, the cooldown, the cookie's flags,
the headers, the language per user, and no token in the log.
"""

from __future__ import annotations

import re

import pytest

from tests.serve.server import EXAMPLES, Client, start_server

pytestmark = pytest.mark.kernel
A = "relu-exercicios"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("serve-routes"), "verificacao", cooldown_minutes=10)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ana(server):
    client = Client(server).sign_in("ana")
    reply = client.upload(EXAMPLES / "01-correta.ipynb", client.csrf())
    assert reply.status == 303, reply.text
    job = int(reply.headers["location"].rsplit("/", 1)[1])
    client.wait_done(job)
    client.job = job
    return client


def student_routes(job: int) -> list[tuple[str, str]]:
    return [("GET", f"/tentativas/{job}"), ("GET", f"/tentativas/{job}/estado"),
            ("GET", f"/tentativas/{job}/relatorio")]


INSTRUCTOR_ROUTES = [("GET", "/professor"), ("GET", f"/professor/tarefas/{A}/"),
                     ("GET", f"/professor/tarefas/{A}/relatorios/ana"), ("GET", f"/professor/tarefas/{A}/revisao"),
                     ("GET", f"/professor/tarefas/{A}/grades.csv"), ("GET", f"/professor/tarefas/{A}/exportar/junit"),
                     ("GET", f"/professor/tarefas/{A}/similarity.html"),
                     ("POST", f"/professor/tarefas/{A}/decidir"),
                     ("POST", f"/professor/tarefas/{A}/liberar"),
                     ("POST", f"/professor/tarefas/{A}/exportar/canvas"),
                     ("GET", f"/professor/tarefas/{A}/verificacoes")]


def ask(client: Client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    fields = {"csrf": client.csrf()} if client.cookies else {}
    return client.post(path, {**fields, "submission": "ana", "target": "ex1-relu", "comment": "x"})


def test_ana_sees_her_attempt_its_progress_and_her_report(ana):
    page = ana.get(f"/tentativas/{ana.job}")
    assert page.status == 200 and 'id="report-link"' in page.text
    assert re.search(r"Nota: 20 / 20", page.text), page.text
    report = ana.get(f"/tentativas/{ana.job}/relatorio")
    assert report.status == 200 and "ReLU" in report.text
    assert ana.get("/").text.count(f'href="/tentativas/{ana.job}"') == 1  # listed among her attempts


@pytest.mark.parametrize("index", range(3))
def test_another_student_gets_404_for_each_of_anas_routes(server, ana, index):
    method, path = student_routes(ana.job)[index]
    bruno = Client(server).sign_in("bruno")
    reply = ask(bruno, method, path)
    assert reply.status == 404, (path, reply.status)
    assert "20 / 20" not in reply.text and "01-correta" not in reply.text


@pytest.mark.parametrize("index", range(3))
def test_someone_signed_out_gets_404_for_each_of_anas_routes(server, ana, index):
    method, path = student_routes(ana.job)[index]
    assert ask(Client(server), method, path).status == 404


@pytest.mark.parametrize("method,path", INSTRUCTOR_ROUTES)
def test_a_student_gets_404_for_each_instructor_route(server, ana, method, path):
    assert ask(ana, method, path).status == 404


@pytest.mark.parametrize("method,path", INSTRUCTOR_ROUTES)
def test_someone_signed_out_gets_404_for_each_instructor_route(server, method, path):
    assert ask(Client(server), method, path).status == 404


def test_the_instructor_reaches_each_instructor_route(server, ana):
    profa = Client(server).sign_in("profa")
    for method, path in INSTRUCTOR_ROUTES[:7]:
        # a check (verificação) is no hand-in: the class has none, so no instructor's report of Ana's
        assert profa.get(path).status == (404 if path.endswith("/ana") else 200), path
    assert "ana,01-correta.ipynb" not in profa.get(f"/professor/tarefas/{A}/grades.csv").text  # a check is no hand-in
    assert profa.get(f"/tentativas/{ana.job}").status == 404  # an attempt is its student's page
    assert profa.get(f"/professor/tarefas/{A}/exportar/moodle").status == 404  # needs the LMS's file: the CLI's


def test_the_instructor_reads_each_self_check_and_its_report(server, ana):
    profa = Client(server).sign_in("profa")
    listing = profa.get(f"/professor/tarefas/{A}/verificacoes")
    assert listing.status == 200 and f'href="/professor/tarefas/{A}/verificacoes/{ana.job}"' in listing.text
    row = re.search(rf'<tr id="check-{ana.job}">.*?</tr>', listing.text, re.DOTALL).group(0)
    assert "ana" in row and "01-correta.ipynb" in row and "Nota: 20 / 20" in row
    assert 'id="checks-relu-exercicios"' in profa.get("/professor").text  # linked from the instructor's page
    report = profa.get(f"/professor/tarefas/{A}/verificacoes/{ana.job}")
    assert report.status == 200 and "ReLU" in report.text
    for page in (listing.text, report.text):  # read only: no form but the header's (language, sign-out)
        assert not re.search(r'<form[^>]*action="/(professor|tarefas)', page)
    for missing in ("99999", "abc", str(ana.job) + "0"):
        assert profa.get(f"/professor/tarefas/{A}/verificacoes/{missing}").status == 404
    assert profa.get(f"/professor/tarefas/outra/verificacoes/{ana.job}").status == 404


@pytest.mark.parametrize("who", ["ana", "bruno", None])
def test_a_self_checks_report_is_404_for_anyone_but_an_instructor(server, ana, who):
    client = Client(server).sign_in(who) if who else Client(server)
    reply = client.get(f"/professor/tarefas/{A}/verificacoes/{ana.job}")
    assert reply.status == 404 and "ReLU" not in reply.text


def test_an_upload_without_its_csrf_token_or_from_another_site_is_refused(server):
    carla = Client(server).sign_in("carla")
    assert carla.upload(EXAMPLES / "01-correta.ipynb", "forged").status == 403
    assert carla.post("/idioma", {"lang": "en"}).status == 403
    assert carla.post("/idioma", {"lang": "en", "csrf": carla.csrf()}, origin="http://evil.example").status == 403
    assert carla.get("/").text.count('href="/tentativas/') == 0


def test_an_upload_over_the_cap_is_refused_while_it_streams(server):
    carla = Client(server).sign_in("carla")
    reply = carla.upload(EXAMPLES / "01-correta.ipynb", carla.csrf(), data=b" " * (2 * 2**20))
    assert reply.status == 413 and "1 MB" in reply.text


def test_a_file_that_is_not_a_notebook_is_refused_plainly(server):
    carla = Client(server).sign_in("carla")
    reply = carla.upload(EXAMPLES / "01-correta.ipynb", carla.csrf(), filename="trabalho.pdf", data=b"%PDF-1.4")
    assert reply.status == 409 and "não é um notebook Jupyter" in reply.text


def test_a_second_check_within_the_cooldown_gets_a_plain_message(ana):
    reply = ana.upload(EXAMPLES / "01-correta.ipynb", ana.csrf())
    assert reply.status == 429 and "Poderá verificar de novo em cerca de 10 min" in reply.text


def test_a_forged_link_signs_nobody_in(server):
    link = server.links["ana"]
    assert Client(server).get("/entrar/" + link.rsplit("/", 1)[1][:-3] + "xyz").status == 404


def test_the_session_cookie_is_signed_httponly_and_samesite(server):
    client = Client(server)
    reply = client.get("/entrar/" + server.links["bruno"].rsplit("/", 1)[1])
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    client.cookies["grader_session"] = client.cookies["grader_session"][:-2] + "xx"
    assert "Minhas tarefas" not in client.get("/").text  # a tampered cookie is no session


def test_each_page_carries_the_security_headers_and_a_hashed_csp(ana):
    reply = ana.get(f"/tentativas/{ana.job}")
    assert reply.headers["x-content-type-options"] == "nosniff" and reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["referrer-policy"] == "same-origin"
    csp = reply.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split(";")[1]


def test_each_user_reads_in_their_own_language(server):
    bruno = Client(server).sign_in("bruno")
    assert bruno.post("/idioma", {"lang": "en", "csrf": bruno.csrf()}).status == 303
    assert "My assignments" in bruno.get("/").text
    assert "Minhas tarefas" in Client(server).sign_in("carla").get("/").text


def test_no_token_reaches_the_log(server, ana):
    log = server.log
    for link in server.links.values():
        assert link.rsplit("/", 1)[1] not in log
    assert ana.cookies["grader_session"] not in log
    assert "GET /entrar/… 303" in log
