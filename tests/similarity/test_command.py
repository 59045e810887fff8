"""``grader similarity OUT`` and the comparison at the end of ``grader run``, on the examples' graded run.

The run is the session's ``graded_examples("relu-exercicios")`` (NumPy only, under a second per
notebook); tests that write copy its OUT (and its submissions) first. No new notebook is executed.
"""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest

from grader.cli import main
from grader.messages import load_catalogue
from grader.run import run
from grader.similarity.findings import SimilarityFindings
from tests.e2e.examples import SCHEMA
from tests.similarity.synthetic import disguise, handout_path, read

pytestmark = pytest.mark.kernel
ASSIGNMENT = "relu-exercicios"
CAT = load_catalogue("pt")


@pytest.fixture
def graded(graded_examples):
    return graded_examples(ASSIGNMENT)


def copied(graded, tmp_path):
    """OUT and the submissions copied, results.json pointing at the copied submissions."""
    out, subs = tmp_path / "out", tmp_path / "subs"
    shutil.copytree(graded.out, out)
    shutil.copytree(graded.submissions, subs)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    results["submissions_dir"] = str(subs.resolve())
    (out / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return out, subs


def findings_of(out) -> SimilarityFindings:
    return SimilarityFindings.from_json(json.loads((out / "similarity.json").read_text(encoding="utf-8")))


def test_grader_run_compares_its_submissions_at_the_end(graded):
    found = findings_of(graded.out)
    assert found.matches({s["id"]: s["sha256"] for s in graded.results["submissions"]})
    assert (graded.out / "similarity.html").is_file() and (graded.out / "similarity.csv").is_file()
    assert found.flagged, "the examples derived from the reference share its code"
    assert all("05-template-intocado" not in (p.a, p.b) for p in found.pairs)
    independent = [p for p in found.pairs if {p.a, p.b} == {"01-correta", "02-relu-so-listas"}]
    assert not any(p.flagged for p in independent)
    jsonschema.validate(graded.results, SCHEMA)
    assert "similarity" not in json.dumps(graded.results)  # the results contract is untouched


def test_the_dashboard_links_it_and_the_instructors_view_lists_the_partners(graded):
    found = findings_of(graded.out)
    index = (graded.out / "index.html").read_text(encoding="utf-8")
    assert 'href="similarity.html"' in index
    assert CAT.render("index.similar_column") in index
    top = found.flagged[0]
    assert f'href="similarity.html#{top.anchor}"' in index
    teacher = (graded.out / top.a / "report-professor.html").read_text(encoding="utf-8")
    assert CAT.render("report.similar_title") in teacher
    assert f"../similarity.html#{top.anchor}" in teacher


def test_the_students_report_shows_nothing_of_it(graded):
    found = findings_of(graded.out)
    flagged_ids = {p.a for p in found.flagged} | {p.b for p in found.flagged}
    for sub in graded.results["submissions"]:
        html = (graded.out / sub["id"] / "report.html").read_text(encoding="utf-8")
        assert "similarity" not in html and CAT.render("report.similar_title") not in html, sub["id"]
        others = {p.other(sub["id"]) for p in found.flagged if sub["id"] in (p.a, p.b)}
        assert not any(other in html for other in others), sub["id"]
    assert flagged_ids


def test_grader_similarity_out_stands_alone(graded, tmp_path, capsys):
    out, _ = copied(graded, tmp_path)
    for name in ("similarity.json", "similarity.html", "similarity.csv"):
        (out / name).unlink()
    index = (out / "index.html")
    assert main(["report", str(out)]) == 0 and "similarity.html" not in index.read_text(encoding="utf-8")
    assert main(["similarity", str(out)]) == 0
    assert findings_of(out).pairs == findings_of(graded.out).pairs
    assert 'href="similarity.html"' in index.read_text(encoding="utf-8")  # the dashboard re-rendered
    assert "similarity.html" in capsys.readouterr().out
    assert main(["report", str(out), "--lang", "en"]) == 0  # grader report keeps what is fresh
    assert "Similar submissions" in index.read_text(encoding="utf-8")


def test_a_notebook_changed_since_the_run_is_listed_not_compared(graded, tmp_path, capsys):
    out, subs = copied(graded, tmp_path)
    target = subs / "07-contas-erradas.ipynb"
    copy = disguise(read(subs / "03-conv-com-padding.ipynb"), read(handout_path(ASSIGNMENT)))
    target.write_text(json.dumps(copy), encoding="utf-8")
    assert main(["similarity", str(out)]) == 0
    found = findings_of(out)
    assert [s.id for s in found.skipped] == ["07-contas-erradas"] and found.skipped[0].reason == "changed"
    assert all("07-contas-erradas" not in (p.a, p.b) for p in found.pairs)
    assert "07-contas-erradas" in capsys.readouterr().err
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert 'id="skipped"' in page and "07-contas-erradas" in page


def test_no_similarity_removes_the_previous_files_and_the_link(graded, tmp_path, dataset_dir):
    out, subs = copied(graded, tmp_path)
    run(submissions=subs, assignment=ASSIGNMENT, out=out, jobs=1, data_dir=dataset_dir, store=graded.store,
        similarity=False)  # every notebook is in the store: nothing executes
    assert not any((out / name).exists() for name in ("similarity.json", "similarity.html", "similarity.csv"))
    assert "similarity.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_the_pages_are_valid_html5(graded):
    from tests.report.test_html_valid import parse_strictly

    found = findings_of(graded.out)
    parse_strictly(graded.out / "similarity.html")
    parse_strictly(graded.out / "index.html")
    parse_strictly(graded.out / found.flagged[0].a / "report-professor.html")
