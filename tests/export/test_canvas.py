"""The Canvas gradebook import: documented columns, Points Possible row, every submission kept."""

from __future__ import annotations

import csv

import pytest

from grader.errors import UsageError
from grader.export import ExportOptions, get_exporter
from grader.export.canvas import STUDENT_COLUMNS, assignment_column, write_canvas_csv

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Lista ReLU (5501),Outra (5502),Current Score
    Points Possible,,,,,10.00,5.00,(read only)
"Souza, Ana",1001,2023001,ana.souza@uni.br,Turma A,,4,
"Lima, Bruno",1002,2023002,bruno@uni.br,Turma A,,3,
"Dias, Carla",1003,2023003,carla@uni.br,Turma B,7,5,
"""


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "canvas-export.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_round_trip_through_the_documented_columns(lms_results, roster, tmp_path):
    path = tmp_path / "import.csv"
    outcome = write_canvas_csv(lms_results, path, ExportOptions(roster=roster))
    rows = read(path)
    assert rows[0] == [*STUDENT_COLUMNS, "Lista ReLU (5501)"]  # the roster's column: Canvas updates assignment 5501
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    by_name = {r[0]: dict(zip(rows[0], r)) for r in rows[2:]}
    ana = by_name["Souza, Ana"]
    assert (ana["ID"], ana["SIS User ID"], ana["SIS Login ID"], ana["Section"]) == ("1001", "2023001",
                                                                                  "ana.souza@uni.br", "Turma A")
    assert ana["Lista ReLU (5501)"] == "2.4"  # 3 points, 2 started days late at 10 % a day
    assert by_name["Lima, Bruno"]["Lista ReLU (5501)"] == "8"  # by the Canvas user id of the download
    assert by_name["Dias, Carla"]["Lista ReLU (5501)"] == ""  # no submission: Canvas keeps her grade
    assert by_name["zeca"]["ID"] == "" and by_name["zeca"]["Lista ReLU (5501)"] == "0"  # listed, never dropped
    assert (outcome.written, outcome.without_submission) == (2, 1)
    assert [(u.submission, u.reason) for u in outcome.unmatched] == [("zeca", "no_student")]


def test_column_names(lms_results):
    info = lms_results
    assert assignment_column(("Student", "lista relu (77)"), info, None) == "lista relu (77)"
    assert assignment_column(("Student", "relu-exercicios"), info, None) == "relu-exercicios"
    assert assignment_column(("Student", "Lista ReLU (1)", "Lista ReLU (2)"), info, None) == "Lista ReLU"
    assert assignment_column(("Student",), info, None) == "Lista ReLU"
    assert assignment_column(("Student",), info, "Notebook 3") == "Notebook 3"


def test_a_roster_column_titled_differently_is_named_by_its_title_or_id_or_warned_about(lms_results, tmp_path):
    """The course's Canvas calls the assignment "Lab 3: ReLU"; the spec's title is "Lista ReLU"."""
    path = tmp_path / "canvas-export.csv"
    path.write_text(ROSTER.replace("Lista ReLU (5501)", "Lab 3: ReLU (5501)"), encoding="utf-8")
    silent = write_canvas_csv(lms_results, tmp_path / "a.csv", ExportOptions(roster=path))
    assert read(tmp_path / "a.csv")[0][-1] == "Lista ReLU"  # a new assignment on import: said, not silent
    (key, params), = silent.warnings
    assert key == "cli.export.canvas_new_column"
    assert params == {"column": "Lista ReLU", "existing": "'Lab 3: ReLU (5501)', 'Outra (5502)'"}
    for named in ("Lab 3: ReLU", "lab 3: relu", "5501", "Lab 3: ReLU (5501)"):
        outcome = write_canvas_csv(lms_results, tmp_path / "b.csv", ExportOptions(roster=path, column=named))
        assert read(tmp_path / "b.csv")[0][-1] == "Lab 3: ReLU (5501)" and outcome.warnings == ()


def test_a_file_that_is_not_a_canvas_export(lms_results, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Nome,Email\nAna,a@b\n", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        write_canvas_csv(lms_results, tmp_path / "out.csv", ExportOptions(roster=path))
    assert info.value.key == "usage.roster_columns" and "Student, ID" in str(info.value)


def test_registered(lms_results, roster, tmp_path):
    exporter = get_exporter("canvas")
    assert exporter.needs_roster and exporter.takes_options
    outcome = exporter(lms_results, tmp_path / exporter.filename, ExportOptions(roster=roster, column="Lab"))
    assert read(tmp_path / "canvas-import.csv")[0][-1] == "Lab" and outcome.written == 2
