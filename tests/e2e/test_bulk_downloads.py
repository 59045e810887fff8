"""``grader run`` on an LMS "download all submissions" zip, graded from the session's stored facts.

The notebooks are relu-exercicios examples under Canvas names: their facts are already in the
store of ``graded_examples("relu-exercicios")``, so no kernel starts here.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.rerender import report
from grader.run import run
from tests.e2e.examples import SCHEMA

pytestmark = pytest.mark.kernel

EXAMPLES = Path(__file__).resolve().parents[2] / "assignments" / "relu-exercicios" / "examples"


def canvas_zip(path: Path) -> Path:
    entries = {  # ana hands in twice (the later one late); bruno adds a text file
        "silvaana_12345_500_relu.ipynb": ("01-correta.ipynb", (2026, 11, 20, 10, 0, 0)),
        "silvaana_late_12345_900_relu-1.ipynb": ("02-relu-so-listas.ipynb", (2026, 11, 22, 10, 0, 0)),
        "costabruno_678_700_relu.ipynb": ("03-conv-com-padding.ipynb", (2026, 11, 20, 9, 0, 0)),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (example, when) in entries.items():
            zf.writestr(zipfile.ZipInfo(name, when), (EXAMPLES / example).read_bytes())
        zf.writestr("costabruno_678_701_notas.txt", "rascunho")
    return path


def test_a_canvas_zip_is_graded_with_the_students_ids(graded_examples, tmp_path, dataset_dir, capsys):
    graded = graded_examples("relu-exercicios")
    out = tmp_path / "out"
    summary = run(submissions=canvas_zip(tmp_path / "entregas.zip"), assignment="relu-exercicios", out=out,
                  jobs=1, data_dir=dataset_dir, store=graded.store)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, SCHEMA)
    subs = {s["id"]: s for s in results["submissions"]}
    assert set(subs) == {"12345", "678"}
    assert all(s["cached"] for s in subs.values())  # from the store: nothing executed again
    # the later hand-in is graded: 02's score, not 01's
    assert subs["12345"]["score"] == graded.submission("02-relu-so-listas")["score"] < 20
    assert subs["12345"]["source"]["late"] and subs["12345"]["source"]["name"] == "silvaana"
    assert subs["678"]["score"] == graded.submission("03-conv-com-padding")["score"]
    discovery = results["discovery"]
    assert discovery["lms"] == "canvas"
    assert [(r["submission"], r["path"]) for r in discovery["replaced"]] == [("12345", "silvaana_12345_500_relu.ipynb")]
    assert [(s["path"], s["reason"]) for s in discovery["skipped"]] == [("costabruno_678_701_notas.txt", "not_notebook")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="intake"' in index and "silvaana_12345_500_relu.ipynb" in index
    assert summary.results.submissions[0].source is not None
    said = capsys.readouterr().err
    assert "12345 entregou mais de uma vez: silvaana_late_12345_900_relu-1.ipynb é corrigida" in said
    assert "costabruno_678_701_notas.txt" in said
    # grader report re-renders from OUT alone (the zip's temporary folder is gone): the intake stays
    report(out=out)
    assert "silvaana_12345_500_relu.ipynb" in (out / "index.html").read_text(encoding="utf-8")


GRADESCOPE_YML = """\
submission_301:
  :submitters:
  - :name: Ana Silva
    :sid: '2021001'
    :email: ana@usp.br
  :created_at: 2026-11-21 10:00:00.000000000 -03:00
submission_302:
  :submitters:
  - :name: Ana Silva
    :sid: '2021001'
    :email: ana@usp.br
  :created_at: 2026-11-20 10:00:00.000000000 -03:00
"""


def test_a_gradescope_export_zip_grades_the_latest_submission(graded_examples, tmp_path, dataset_dir):
    graded = graded_examples("relu-exercicios")
    archive = tmp_path / "assignment_77_export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("assignment_77_export/submission_metadata.yml", GRADESCOPE_YML)
        zf.writestr("assignment_77_export/submission_301/relu.ipynb", (EXAMPLES / "04-dying-relu-errado.ipynb").read_bytes())
        zf.writestr("assignment_77_export/submission_302/relu.ipynb", (EXAMPLES / "01-correta.ipynb").read_bytes())
    run(submissions=archive, assignment="relu-exercicios", out=tmp_path / "out", jobs=1, data_dir=dataset_dir,
        store=graded.store)
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    (ana,) = results["submissions"]
    assert ana["id"] == "2021001" and ana["source"]["name"] == "Ana Silva" and ana["cached"]
    assert ana["score"] == graded.submission("04-dying-relu-errado")["score"]  # created later, though numbered first
    assert results["discovery"]["lms"] == "gradescope"
