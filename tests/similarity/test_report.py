"""similarity.html and similarity.csv, parsed back: the pairs, the shares, the highlighted fragments."""

from __future__ import annotations

import csv

import html5lib

from grader.messages import load_catalogue
from grader.similarity.compare import compare_works
from grader.similarity.extract import Handout, extract_work
from grader.similarity.findings import SimilarityFindings
from grader.similarity.report import CSV_COLUMNS, render_similarity_page, write_similarity_csv
from grader.similarity.settings import SimilaritySettings
from tests.similarity.synthetic import disguise, example_paths, handout_path, read

NS = {"h": "http://www.w3.org/1999/xhtml"}
ASSIGNMENT = "relu-exercicios"


def findings() -> SimilarityFindings:
    handout_nb = read(handout_path(ASSIGNMENT))
    handout = Handout.of(handout_nb)
    source = read(example_paths(ASSIGNMENT)[2])  # 03-conv-com-padding
    notebooks = {"ana": source, "bia": disguise(source, handout_nb, seed=3), "caio": read(example_paths(ASSIGNMENT)[0])}
    works = [extract_work(k, nb, handout) for k, nb in notebooks.items()]
    pairs = compare_works(works, handout, SimilaritySettings())
    return SimilarityFindings(SimilaritySettings(), {k: "0" * 64 for k in notebooks}, pairs)


def page(lang: str = "pt"):
    text = render_similarity_page(findings(), load_catalogue(lang), title="ReLU",
                                  reports={"ana": "ana/report-professor.html"})
    return text, html5lib.parse(text, namespaceHTMLElements=True)


def text_of(element) -> str:
    return "".join(element.itertext())


def test_the_page_says_it_is_a_signal_never_a_grade_change():
    html, _ = page()
    assert load_catalogue("pt").render("similarity.signal") in html
    html_en, _ = page("en")
    assert "never a grade change" in html_en and 'lang="en"' in html_en


def test_the_copied_pair_comes_first_with_both_shares_and_fragments_side_by_side():
    found = findings()
    top = found.flagged[0]
    assert {top.a, top.b} == {"ana", "bia"} and "code" in top.flagged_by
    _, tree = page()
    section = tree.find(f".//h:section[@id='{top.anchor}']", NS)
    assert section is not None
    shares = [text_of(td).strip() for td in section.findall(".//h:table[@class='shares']//h:td", NS)]
    assert shares[:2] == [f"{round(100 * top.code.share_a)}%", f"{round(100 * top.code.share_b)}%"]
    longest = [text_of(p) for p in section.findall(".//h:pre[@class='longest']", NS)]
    assert longest[:2] == [top.code.longest_a, top.code.longest_b]  # code first, then the written answers
    sides = section.findall(".//h:div[@class='side fragments']/h:div", NS)[:2]
    assert [text_of(side.find('h:h4', NS)) for side in sides] == [top.a, top.b]
    marked = ["".join(text_of(m) for m in side.findall(".//h:mark", NS)) for side in sides]
    assert all(marked)
    assert "np.zeros" in marked[0] and "np.zeros" in marked[1]  # the shared convolution, in both students' code


def test_students_link_to_their_instructor_view_only():
    _, tree = page()
    hrefs = {a.get("href") for a in tree.iter("{http://www.w3.org/1999/xhtml}a")}
    assert "ana/report-professor.html" in hrefs
    assert not any(h and h.endswith("/report.html") for h in hrefs)


def test_no_pair_above_the_threshold_is_said():
    empty = SimilarityFindings(SimilaritySettings(), {"a": "x"}, ())
    html = render_similarity_page(empty, load_catalogue("pt"), title="t", reports={})
    assert load_catalogue("pt").render("similarity.none") in html


def test_the_csv_lists_every_scored_pair_flagged_first(tmp_path):
    found = findings()
    write_similarity_csv(found, tmp_path / "similarity.csv")
    with (tmp_path / "similarity.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(found.pairs)
    assert {rows[0]["submission_a"], rows[0]["submission_b"]} == {"ana", "bia"}
    assert rows[0]["flagged_by"].split(";")[0] == "code"
    assert float(rows[0]["code_share_a"]) == found.pairs[0].code.share_a


def test_findings_round_trip_through_json_and_name_each_submissions_partners():
    found = findings()
    again = SimilarityFindings.from_json(found.to_json())
    assert again == found
    partners = found.partners()
    assert partners["ana"][0].other == "bia" and partners["bia"][0].other == "ana"
    assert partners["ana"][0].href == f"similarity.html#{found.flagged[0].anchor}"
    assert found.matches({"ana": "0" * 64, "bia": "0" * 64, "caio": "0" * 64})
    assert not found.matches({"ana": "0" * 64, "bia": "1" * 64, "caio": "0" * 64})
    assert not found.matches({"ana": "0" * 64, "bia": "0" * 64})


def test_after_the_most_similar_pairs_the_others_are_listed_by_their_numbers(monkeypatch):
    import grader.similarity.compare as compare

    monkeypatch.setattr(compare, "DETAILED_PAIRS", 1)
    handout = Handout.of(read(handout_path(ASSIGNMENT)))
    works = [extract_work(p.stem, read(p), handout) for p in example_paths(ASSIGNMENT)]
    found = SimilarityFindings(SimilaritySettings(), {w.submission: "" for w in works},
                               compare_works(works, handout, SimilaritySettings()))
    first, *rest = found.flagged
    assert rest and first.detailed and not any(p.detailed for p in rest)
    tree = html5lib.parse(render_similarity_page(found, load_catalogue("pt"), title="t", reports={}),
                          namespaceHTMLElements=True)
    assert tree.find(f".//h:section[@id='{first.anchor}']", NS) is not None
    rows = tree.findall(".//h:section[@id='listed']//h:tbody/h:tr", NS)
    assert [r.get("id") for r in rows] == [p.anchor for p in rest]  # the dashboard's links still land
