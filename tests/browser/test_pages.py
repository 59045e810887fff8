"""The reports and the class overview in a real headless Chromium, at a phone's and a laptop's width.

Pages are rendered from hand-made results (no kernel) into a tmp OUT folder and opened
over the DevTools pipe (tests/browser/cdp.py). Each page must load with no console error
and no request but its own file, show its score and every section (and any SVG plot), and
never be wider than the viewport.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.messages import load_catalogue
from grader.report import Formatter
from tests.browser.cases import CASES, AppliedDecision, render_site
from tests.browser.cdp import Chromium, find_chromium

pytestmark = pytest.mark.browser
WIDTHS = (390, 1280)
MEASURE = (Path(__file__).parent / "measure.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed: `make install` as root installs Debian's chromium "
                    "(or `sudo apt-get install chromium`)")
    chromium = Chromium(binary)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return render_site(tmp_path_factory.mktemp("out"))


def open_page(browser: Chromium, path: Path, width: int) -> dict:
    """Load ``path`` at ``width`` px; what the page measured, plus its console errors and requests."""
    page = browser.open(path, width)
    try:
        measured = page.evaluate(f"({MEASURE})({width})")
        log = page.collect()
    finally:
        page.close()
    measured.update(errors=log.errors, requests=log.requests, url=path.resolve().as_uri())
    return measured


def assert_self_contained_and_fits(page: dict, width: int) -> None:
    assert page["errors"] == [], f"console errors: {page['errors']}"
    assert page["requests"] == [page["url"]], f"requests besides the page itself: {page['requests']}"
    # a phone shrinks a page that overflows, so innerWidth grows past the device width
    assert page["innerWidth"] == width, f"the page was zoomed out to {page['innerWidth']} px"
    assert page["scrollWidth"] <= page["innerWidth"], (
        f"page is {page['scrollWidth']} px wide at {width} px: {page['overflowing']}")
    assert page["overflowing"] == [], f"elements past the right edge: {page['overflowing']}"
    assert all(shown for _, shown in page["tables"]), f"hidden tables: {page['tables']}"
    assert all(shown for _, shown in page["svgs"]), f"hidden plots: {page['svgs']}"


def decided_or_skip(case: str) -> None:
    if case == "decided" and AppliedDecision is None:
        pytest.skip("CheckResult has no teacher decision yet (grader/review.py)")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", ["student", "instructor"])
@pytest.mark.parametrize("case", CASES)
def test_report_in_chromium(browser, site, case, view, width):
    decided_or_skip(case)
    path = (site.reports if view == "student" else site.instructor)[case]
    page = open_page(browser, path, width)
    assert_self_contained_and_fits(page, width)
    result = site.results[case]
    fmt = Formatter(load_catalogue("pt"))
    assert f"{fmt.score(result.score)} / {fmt.score(result.max_score)}" in page["text"].replace("\n", " ")
    sections = dict(page["sections"])
    expected = {f"section-{s.id}" for s in result.sections} | {f"section-{c.section}" for c in result.checks}
    assert expected <= set(sections), f"sections missing from the page: {expected - set(sections)}"
    assert all(sections[s] for s in expected), f"sections not visible: {sections}"


def test_decided_check_shows_the_teachers_comment(browser, site):
    decided_or_skip("decided")
    page = open_page(browser, site.reports["decided"], 390)
    assert "Resposta correta, escrita de outro jeito." in page["text"]


@pytest.mark.parametrize("width", WIDTHS)
def test_dashboard_in_chromium(browser, site, width):
    page = open_page(browser, site.index, width)
    assert_self_contained_and_fits(page, width)
    text = page["text"]
    for result in site.results.values():
        assert result.id in text
    for words in ("Acertos por verificação", "Fila de revisão", "Entregas com erro", "Distribuição das notas",
                  "não tentado", "Clique no título de uma coluna"):  # the hint shows once the script ran
        assert words in text


def test_dashboard_sorts_by_a_column_in_the_browser(browser, site):
    page = browser.open(site.index, 1280)
    try:
        order = page.evaluate("""(() => {
          const table = document.getElementById("submissions-table");
          const total = [...table.tHead.rows[0].cells].findIndex((th) => th.textContent.trim().startsWith("Total"));
          const names = () => [...table.tBodies[0].rows].map((r) => r.cells[0].textContent.trim());
          const before = names();
          table.tHead.rows[0].cells[total].querySelector("button").click();
          const ascending = names();
          table.tHead.rows[0].cells[total].querySelector("button").click();
          return {before, ascending, descending: names(),
                  sort: table.tHead.rows[0].cells[total].getAttribute("aria-sort")};
        })()""")
        assert page.collect().errors == []
    finally:
        page.close()
    assert order["before"] == sorted(order["before"])
    scores = {r.id: r.score for r in site.results.values()}
    ranked = [name for name in order["descending"] if name in scores]
    assert [scores[n] for n in ranked] == sorted(scores.values(), reverse=True)
    assert order["ascending"] == order["descending"][::-1] or order["ascending"][0] == "zeca_erro"
    assert order["sort"] == "descending"


def test_report_links_of_both_views_open(browser, site):
    """Every report the dashboard links to exists: student and instructor view of each row."""
    page = browser.open(site.index, 1280)
    try:
        hrefs = page.evaluate("[...document.querySelectorAll('#submissions-table .links a')].map((a) => a.href)")
    finally:
        page.close()
    assert len(hrefs) == 2 * len(site.results)
    for href in hrefs:
        assert Path(href.removeprefix("file://")).is_file(), json.dumps(hrefs)


COURSE_TABLE = """(() => {
  const table = document.getElementById("submissions-table");
  const box = table.parentElement;
  const edges = (cell) => { const r = cell.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right)]; };
  const lines = (cell) => {
    const style = getComputedStyle(cell);
    const inner = cell.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return Math.round(inner / parseFloat(style.lineHeight));
  };
  const rows = [...table.tBodies[0].rows];
  const heads = [...table.tHead.rows[0].cells];
  const before = rows.map((r) => [edges(r.cells[0]), edges(r.cells[1])]);
  const links = rows.map((r) => edges(r.querySelector(".links")));
  box.scrollLeft = box.scrollWidth;
  const after = rows.map((r) => [edges(r.cells[0]), edges(r.cells[1])]);
  return {before, after, links, boxRight: Math.round(box.getBoundingClientRect().right),
          idLines: rows.map((r) => lines(r.cells[0])),
          heads: heads.map((th) => [th.textContent.trim(), th.getAttribute("title")])};
})()"""


@pytest.mark.parametrize("width", WIDTHS)
def test_dashboard_keeps_the_id_and_the_total_in_view_with_the_courses_real_titles(browser, tmp_path, width):
    from tests.browser.cases import render_course_index

    index, results = render_course_index(tmp_path)
    page = browser.open(index, width)
    try:
        table = page.evaluate(COURSE_TABLE)
        assert page.collect().errors == []
    finally:
        page.close()
    measured = open_page(browser, index, width)
    assert_self_contained_and_fits(measured, width)
    # short section labels, the full title on hover
    titled = {label: title for label, title in table["heads"] if title}
    assert titled == {s.title.split(":")[0]: s.title for s in results.assignment.sections}
    assert [label for label, _ in table["heads"][:4]] == ["Aluno(a)", "Total", "Situação", "Relatórios"]
    # the id and the total: inside the page, and in the same place once the sections scroll under them
    for (id_cell, total), (id_after, total_after) in zip(table["before"], table["after"]):
        assert 0 <= id_cell[0] and total[1] <= width
        assert (id_cell, total) == (id_after, total_after)
    assert max(table["idLines"]) <= 3, f"an id and name wrap onto {max(table['idLines'])} lines"
    if width >= 1280:  # a laptop sees every row's report links without scrolling
        assert all(right <= table["boxRight"] for _, right in table["links"])


@pytest.mark.parametrize("width", WIDTHS)
def test_what_to_fix_is_on_the_first_screen_and_its_links_lead_to_the_checks(browser, site, width):
    page = browser.open(site.reports["failing"], width)
    try:
        found = page.evaluate("""(() => {
          const nav = document.querySelector("nav.to-fix");
          const links = [...nav.querySelectorAll("a")];
          const first = document.querySelector("section[id^='section-']");
          return {top: nav.getBoundingClientRect().top, height: innerHeight,
                  beforeSections: nav.getBoundingClientRect().top < first.getBoundingClientRect().top,
                  targets: links.map((a) => !!document.getElementById(a.hash.slice(1))), count: links.length};
        })()""")
        assert page.collect().errors == []
    finally:
        page.close()
    assert found["count"] and all(found["targets"]) and found["beforeSections"]
    assert found["top"] < found["height"], f"'O que corrigir' starts {found['top']} px down, past the first screen"
