"""Reading who handed a file in from Moodle, Canvas and Gradescope download names."""

from __future__ import annotations

import pytest

from grader.lms_names import (CANVAS, GRADESCOPE, MOODLE, parse_canvas, parse_gradescope_metadata, parse_lms_name,
                              parse_moodle)


@pytest.mark.parametrize("name, key, student, file", [
    ("Ana Maria Silva_12345_assignsubmission_file_aluno.ipynb", "12345", "Ana Maria Silva", "aluno.ipynb"),
    ("Ana Maria Silva_12345_assignsubmission_file", "12345", "Ana Maria Silva", ""),
    ("João_da_Silva_987_assignsubmission_file_lista_2.ipynb", "987", "João_da_Silva", "lista_2.ipynb"),
    ("Participant_4412_assignsubmission_file_cnn.ipynb", "4412", "Participant", "cnn.ipynb"),
])
def test_moodle_names(name, key, student, file):
    source = parse_moodle(name)
    assert (source.lms, source.key, source.name, source.file, source.original) == (MOODLE, key, student, file, name)


def test_moodle_online_text_is_recognised_but_names_its_plugin_file():
    source = parse_moodle("Ana_5_assignsubmission_onlinetext_onlinetext.html")
    assert source.key == "5" and source.file == "onlinetext.html"


@pytest.mark.parametrize("name", ["aluno.ipynb", "ana_12345_aluno.ipynb", "_12_assignsubmission_file_x.ipynb"])
def test_not_moodle(name):
    assert parse_moodle(name) is None


def test_canvas_name_with_ids():
    source = parse_canvas("silvaana_12345_67890_aluno.ipynb")
    assert (source.lms, source.key, source.name, source.file, source.file_id) == (
        CANVAS, "12345", "silvaana", "aluno.ipynb", 67890)
    assert not source.late and source.attempt == 0


def test_canvas_late_marker_and_resubmission_counter():
    source = parse_canvas("silvaana_late_12345_67891_aluno-2.ipynb")
    assert source.late and source.attempt == 2 and source.key == "12345" and source.file == "aluno-2.ipynb"
    assert parse_canvas("silvaana_LATE_12345_67891_aluno.ipynb").late


def test_canvas_recency_follows_the_file_id_then_the_counter():
    first = parse_canvas("silvaana_12345_100_aluno-3.ipynb")
    later = parse_canvas("silvaana_12345_200_aluno-1.ipynb")
    assert later.recency > first.recency


@pytest.mark.parametrize("name", ["aluno.ipynb", "silvaana_12345_aluno.ipynb", "silva ana_x_1_a.ipynb"])
def test_not_canvas(name):
    assert parse_canvas(name) is None


def test_lms_name_tries_moodle_first():
    assert parse_lms_name("Ana_1_assignsubmission_file_a_2_3_b.ipynb").lms == MOODLE
    assert parse_lms_name("ana_1_2_b.ipynb").lms == CANVAS
    assert parse_lms_name("ana.ipynb") is None


GRADESCOPE_YML = """\
submission_1001:
  :submitters:
  - :name: Ana Silva
    :sid: '2021001'
    :email: ana@usp.br
  :created_at: 2026-11-20 22:15:43.123456000 -03:00
  :score: 12.0
  :status: processed
submission_1002:
  :submitters:
  - :name: Bruno Costa
    :sid:
    :email: bruno@usp.br
  - :name: Carla Dias
    :sid: '2021003'
    :email: carla@usp.br
  :created_at: 2026-11-21 01:00:00.000000000 +00:00
  :results: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
    score: 3.0
"""


def test_gradescope_metadata_maps_folders_to_submitters():
    sources = parse_gradescope_metadata(GRADESCOPE_YML)
    ana, group = sources["submission_1001"], sources["submission_1002"]
    assert (ana.lms, ana.key, ana.name, ana.email, ana.file_id) == (GRADESCOPE, "2021001", "Ana Silva",
                                                                     "ana@usp.br", 1001)
    assert ana.submitted_at == "2026-11-21T01:15:43.123456+00:00"  # in UTC, so times compare as text
    assert group.key == "bruno@usp.br"  # no student id: the e-mail
    assert group.name == "Bruno Costa & Carla Dias"
    assert group.submitted_at < ana.submitted_at


@pytest.mark.parametrize("text", ["- a\n- b\n", "a: [unclosed\n"])
def test_gradescope_metadata_that_is_not_one(text):
    with pytest.raises(ValueError, match="submission_metadata.yml"):
        parse_gradescope_metadata(text)
