"""The instructor's pages of a real ``grader serve`` in hand-in mode (entrega): the LMS exports filled from the
file the LMS gave, review decisions refused in the reader's language, the self-checks page, and a student's
link revoked (the old one then gets the same 404 as an unknown one).

One server grades one real hand-in of Ana's (relu-exercicios, 20 / 20).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest

from tests.serve.server import EXAMPLES, Client, _grader, start_server

pytestmark = pytest.mark.kernel
A = "relu-exercicios"

CANVAS = """Student,ID,SIS User ID,SIS Login ID,Section,Lista ReLU (5501)
    Points Possible,,,,,20.00
"Souza, Ana",1001,2023001,ana@exemplo.br,Turma A,
"Lima, Bruno",1002,2023002,bruno@exemplo.br,Turma A,
"""
MOODLE = """Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,Last modified (submission),\
Last modified (grade),Feedback comments
Participant 3301,Ana Souza,ana@exemplo.br,Submitted for grading,,"20,00",Yes,"Tuesday, 10 March 2026, 11:00 PM",-,
Participant 3302,Bruno Lima,bruno@exemplo.br,No submission,,"20,00",Yes,-,-,
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("serve-instructor"), "entrega")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def handed_in(server) -> int:
    ana = Client(server).sign_in("ana")
    reply = ana.upload(EXAMPLES / "01-correta.ipynb", ana.csrf())
    assert reply.status == 303, reply.text
    job = int(reply.headers["location"].rsplit("/", 1)[1])
    ana.wait_done(job)
    return job


@pytest.fixture
def profa(server) -> Client:
    return Client(server).sign_in("profa")


def export(client: Client, fmt: str, content: str, csrf: str | None = None, **fields) -> object:
    return client.post_file(f"/professor/tarefas/{A}/exportar/{fmt}", {"csrf": csrf or client.csrf(), **fields},
                            "roster", f"{fmt}.csv", content.encode())


def rows(reply) -> list[dict]:
    return list(csv.DictReader(io.StringIO(reply.body.decode("utf-8-sig"))))


# ------------------------------------------------------------------ Canvas and Moodle
def test_the_canvas_export_fills_the_gradebook_canvas_gave(server, handed_in, profa):
    assert 'id="export-canvas-relu-exercicios"' in profa.get("/professor").text  # offered on the page
    reply = export(profa, "canvas", CANVAS, column="5501")  # the gradebook column, by its Canvas id
    assert reply.status == 200, reply.text
    assert f'filename="{A}-canvas-import.csv"' in reply.headers["content-disposition"]
    found = {r["Student"].strip(): r["Lista ReLU (5501)"] for r in rows(reply)}
    assert found["Points Possible"] == "20" and found["Souza, Ana"] == "20"
    assert found["Lima, Bruno"] == ""  # no hand-in: Canvas leaves his grade alone


def test_the_moodle_export_fills_the_worksheet_moodle_gave(server, handed_in, profa):
    reply = export(profa, "moodle", MOODLE)
    assert reply.status == 200, reply.text
    by_id = {r["Identifier"]: r for r in rows(reply)}
    assert by_id["Participant 3301"]["Grade"] == "20" and "20" in by_id["Participant 3301"]["Feedback comments"]
    assert by_id["Participant 3302"]["Grade"] == ""


def test_a_file_the_export_cannot_read_is_said_plainly(server, handed_in, profa):
    reply = export(profa, "moodle", "nome,nota\nana,10\n")
    assert reply.status == 400 and "Não foi possível preencher este arquivo" in reply.text
    assert "Identifier" in reply.text  # which column it lacks
    missing = profa.request("POST", f"/professor/tarefas/{A}/exportar/canvas", b"", {
        "Content-Type": "multipart/form-data; boundary=x"})
    assert missing.status == 403  # no CSRF token in an empty form
    without_file = profa.post(f"/professor/tarefas/{A}/exportar/canvas", {"csrf": profa.csrf()})
    assert without_file.status == 400 and "Escolha o arquivo" in without_file.text


@pytest.mark.parametrize("who", ["ana", None])
def test_the_exports_are_the_instructors_only(server, handed_in, who):
    client = Client(server).sign_in(who) if who else Client(server)
    reply = export(client, "canvas", CANVAS, csrf=client.csrf() if who else "x")
    assert reply.status == 404 and "Points Possible" not in reply.text


def test_exports_that_need_no_file_or_do_not_exist_are_not_posted(server, profa):
    assert export(profa, "csv", CANVAS).status == 404
    assert export(profa, "nenhum", CANVAS).status == 404
    assert profa.get(f"/professor/tarefas/{A}/exportar/canvas").status == 404  # needs the LMS's file: a form


def test_an_lms_file_over_the_cap_is_refused_while_it_streams(server, profa):
    reply = export(profa, "canvas", CANVAS + "x" * (2 * 2**20))
    assert reply.status == 413


def test_an_export_without_its_csrf_token_is_refused(server, profa):
    assert export(profa, "canvas", CANVAS, csrf="forjado").status == 403


# ------------------------------------------------------------------ decisions refused in the reader's language
def decide(client: Client, **fields):
    return client.post(f"/professor/tarefas/{A}/decidir", {"csrf": client.csrf(), "submission": "ana",
                                                           "target": "ex1-relu", **fields})


def test_a_decision_refused_says_why_in_portuguese_without_command_line_flags(server, handed_in, profa):
    cases = {"": "Uma decisão precisa de um comentário", "abc": "abc&#39; não é um número de pontos",
             "-1": "Os pontos não podem ser negativos", "99": "Recusado: 99 pontos é mais que o máximo de ex1-relu"}
    for points, said in cases.items():
        reply = decide(profa, points=points, comment="" if not points else "ok")
        assert reply.status == 400 and said in reply.text, (points, reply.text[-800:])
        assert "--points" not in reply.text and "--comment" not in reply.text


def test_a_decision_refused_says_why_in_english_to_an_english_reader(server, handed_in):
    profa = Client(server).sign_in("profa")
    assert profa.post("/idioma", {"lang": "en", "csrf": profa.csrf()}).status == 303
    reply = decide(profa, points="1,5", comment="")
    assert reply.status == 400 and "A decision needs a comment" in reply.text
    reply = decide(profa, points="99", comment="ok")
    assert "Refused: 99 points is more than the maximum of ex1-relu" in reply.text


def test_a_decision_that_fits_is_recorded(server, handed_in, profa):
    reply = decide(profa, points="1,5", comment="Meio certo")
    assert reply.status == 303
    assert "Meio certo" in profa.get(f"/professor/tarefas/{A}/relatorios/ana").text  # in Ana's report


def test_a_decisions_file_edited_into_a_mistake_is_said_in_the_readers_language(server, handed_in, profa):
    decisions = server.course.parent / "dados" / "decisions" / f"{A}.toml"
    kept = decisions.read_bytes() if decisions.exists() else None
    decisions.parent.mkdir(parents=True, exist_ok=True)
    decisions.write_text('[[decision]]\nsubmission = "ana"\ncheck = "ex1-relu"\n', encoding="utf-8")
    try:
        reply = profa.get(f"/professor/tarefas/{A}/")
        assert reply.status == 500 and "O servidor não conseguiu montar esta página" in reply.text
        assert "[[decision]] nº 1" in reply.text  # the catalogue's Portuguese, not the English fallback
    finally:
        decisions.write_bytes(kept) if kept is not None else decisions.unlink()
    assert profa.get(f"/professor/tarefas/{A}/").status == 200


# ------------------------------------------------------------------ self-checks
def test_hand_ins_are_not_self_checks(server, handed_in, profa):
    page = profa.get(f"/professor/tarefas/{A}/verificacoes")
    assert page.status == 200 and 'id="empty"' in page.text
    assert profa.get(f"/professor/tarefas/{A}/verificacoes/{handed_in}").status == 404


# ------------------------------------------------------------------ a revoked link
def test_a_revoked_link_gets_the_same_404_as_an_unknown_one_and_the_new_link_works(server):
    old_link = server.links["bruno"]
    bruno = Client(server).sign_in("bruno")
    assert "Minhas tarefas" in bruno.get("/").text
    revoke = _grader("serve", "links", str(server.course), "--revoke", "bruno", stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
    out, err = revoke.communicate(timeout=60)
    assert revoke.returncode == 0 and "bruno" in err, err
    listed = out.strip().splitlines()
    assert listed[0] == "id,name,role,link" and len(listed) == 2 and listed[1].startswith("bruno,")
    new_link = listed[1].split(",")[3]
    assert new_link != old_link

    token = old_link.rsplit("/", 1)[1]
    revoked = Client(server).get("/entrar/" + token)
    unknown = Client(server).get("/entrar/" + token[:-3] + "xyz")
    assert revoked.status == unknown.status == 404 and revoked.body == unknown.body
    assert "Minhas tarefas" not in bruno.get("/").text  # the session the old link opened is over too
    assert bruno.get("/").status == 200 and re.search(r"link pessoal", bruno.get("/").text)

    server.links["bruno"] = new_link
    again = Client(server).sign_in("bruno")
    assert "Minhas tarefas" in again.get("/").text
    assert "Minhas tarefas" in Client(server).sign_in("ana").get("/").text  # the others' links are untouched


def test_revoking_someone_the_course_does_not_know_is_a_usage_error(server):
    revoke = _grader("serve", "links", str(server.course), "--revoke", "zeca", stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
    out, err = revoke.communicate(timeout=60)
    assert revoke.returncode != 0 and "'zeca' não está na lista da turma" in err and out == ""
