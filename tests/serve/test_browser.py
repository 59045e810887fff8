"""A class in headless Chromium against a real ``grader serve`` (uvicorn on 127.0.0.1, a real kernel).

Carla signs in by her link, hands in a relu-exercicios notebook (example 06: one answer a
teacher must review), watches its progress and sees it recorded; the instructor decides the
review item and releases the grades; Carla then sees her score and her report with the
decision. Every page runs under the server's CSP with no console error (a CSP violation is one).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.cdp import Chromium, Page, find_chromium
from tests.serve.server import EXAMPLES, start_server

pytestmark = [pytest.mark.kernel, pytest.mark.browser]
A = "relu-exercicios"
COMMENT = "Certo: o mapa 2 é o que detecta a borda vertical"


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (sudo apt-get install chromium)")
    chromium = Chromium(binary)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("serve-browser"), "entrega")
    yield running
    running.stop()


def new_user(browser: Chromium) -> Page:
    """A tab in a browser context of its own: its own cookies, as another person's browser."""
    context = browser.call("Target.createBrowserContext")["browserContextId"]
    target = browser.call("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network", "DOM"):
        browser.call(f"{domain}.enable", session=session)
    return Page(browser, target, session)


def settle(page: Page) -> None:
    """Fold the events received so far into the page's log: a load event of an earlier reload is not awaited again."""
    page.evaluate("1")
    page.collect()


def go(page: Page, url: str) -> None:
    settle(page)
    page.browser.call("Page.navigate", {"url": url}, page.session)
    page.browser.wait_for("Page.loadEventFired", page.session, timeout=60)


def click_and_load(page: Page, selector: str) -> None:
    settle(page)
    page.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
    page.browser.wait_for("Page.loadEventFired", page.session, timeout=60)


def text(page: Page, selector: str) -> str | None:
    return page.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || null")


def wait_for_element(page: Page, selector: str, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = text(page, selector)
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{selector} did not appear within {timeout} s: {page.evaluate('document.body.innerText')}")


def test_a_student_hands_in_and_an_instructor_reviews_and_releases(browser, server):
    carla = new_user(browser)
    go(carla, server.links["carla"])
    assert carla.evaluate("location.pathname") == "/" and "Carla Dias" in carla.evaluate("document.body.innerText")

    root = browser.call("DOM.getDocument", session=carla.session)["root"]["nodeId"]
    field = browser.call("DOM.querySelector", {"nodeId": root, "selector": f"#assignment-{A} input[type=file]"},
                         carla.session)["nodeId"]
    notebook = EXAMPLES / "06-conv-quadrada-e-erro.ipynb"
    browser.call("DOM.setFileInputFiles", {"files": [str(notebook)], "nodeId": field}, carla.session)
    click_and_load(carla, f"#assignment-{A} button")
    attempt = carla.evaluate("location.href")
    assert "/tentativas/" in attempt, carla.evaluate("document.body.innerText")
    progress = text(carla, "#progress")  # first shown by the server; the page's script then polls it
    assert progress and ("Na fila" in progress or "Executando" in progress), progress
    outcome = wait_for_element(carla, "#outcome")  # the script reloads the page when the job is done
    assert "registrada" in outcome and "liberar" in outcome

    profa = new_user(browser)
    go(profa, server.links["profa"])
    assert profa.evaluate("location.pathname") == "/professor"
    click_and_load(profa, f"#review-{A}")
    assert "carla" in text(profa, "#item-1") and "ex3-resposta" in text(profa, "#item-1")
    profa.evaluate("document.querySelector('#item-1 input[name=points]').value = '1'")
    profa.evaluate(f"document.querySelector('#item-1 input[name=comment]').value = {json.dumps(COMMENT)}")
    click_and_load(profa, "#item-1 button")
    assert "Decidido: " + COMMENT in text(profa, "#item-1")
    go(profa, server.url + f"/professor/tarefas/{A}/")  # the class dashboard, its sorting script under the CSP
    assert "carla" in profa.evaluate("document.body.innerText")
    go(profa, server.url + f"/professor/tarefas/{A}/similarity.html")  # one hand-in: nothing to flag, but the page
    assert "ReLU" in profa.evaluate("document.body.innerText")
    go(profa, server.url + "/professor")
    click_and_load(profa, f"#release-{A}")
    assert "Notas liberadas" in text(profa, f"#released-{A}")

    go(carla, attempt)
    assert "Nota: 15,5 / 20" in text(carla, "#outcome")  # 14,5 from the grader, +1 by the decision
    click_and_load(carla, "#report-link")
    report = carla.evaluate("document.body.innerText")
    assert COMMENT in report and "15,5" in report

    for page in (carla, profa):
        assert page.collect().errors == [], page.log.errors
        page.close()
