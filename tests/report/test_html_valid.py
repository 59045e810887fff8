"""Every page the grader writes is valid HTML5: html5lib's strict parser raises on any parse error."""

from __future__ import annotations

import html5lib
import pytest

from tests.browser.cases import CASES, render_site


@pytest.fixture(scope="module", params=["pt", "en"])
def site(request, tmp_path_factory):
    return render_site(tmp_path_factory.mktemp(f"out-{request.param}"), request.param)


def parse_strictly(path) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(path.read_bytes(), transport_encoding="utf-8")
    except html5lib.html5parser.ParseError as exc:
        line, column = parser.errors[-1][0] if parser.errors else ("?", "?")
        source = path.read_text(encoding="utf-8").splitlines()
        context = source[line - 1] if isinstance(line, int) else ""
        pytest.fail(f"{path.name}: {exc} at line {line}, column {column}: {context.strip()[:200]}")


def test_index_is_valid_html5(site):
    parse_strictly(site.index)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("view", ["student", "instructor"])
def test_reports_are_valid_html5(site, case, view):
    reports = site.reports if view == "student" else site.instructor
    if case not in reports:
        pytest.skip("CheckResult has no teacher decision yet (grader/review.py)")
    parse_strictly(reports[case])


def test_the_strict_parser_catches_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><table><div>x</div></table>",
                    encoding="utf-8")
    with pytest.raises(pytest.fail.Exception):
        parse_strictly(page)
