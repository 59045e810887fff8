"""Matching submissions with roster students: by LMS id, by id/login/e-mail, never dropping one."""

from __future__ import annotations

import pytest

from grader.errors import UsageError
from grader.export.roster import RosterStudent, email_local_parts, match_submissions, read_roster
from grader.lms_names import SubmissionSource
from tests.export.conftest import submission


def student(row, lms_id, *ids):
    return RosterStudent(row, lms_id, frozenset(x.casefold() for x in (lms_id, *ids)))


STUDENTS = [student(0, "1001", "ana.souza@uni.br", "ana.souza", "2023001"),
            student(1, "1002", "bruno@uni.br", "bruno"),
            student(2, "1003", "Carla@Uni.br", "carla", "shared"),
            student(3, "1004", "shared")]


def test_matched_by_lms_id_by_identifier_case_insensitively():
    results = (submission("ANA.SOUZA", {}), submission("x", {}, source=SubmissionSource("canvas", "1002")),
               submission("carla@uni.BR", {}))
    matching = match_submissions(results, STUDENTS, "canvas")
    assert {row: r.id for row, r in matching.by_row.items()} == {0: "ANA.SOUZA", 1: "x", 2: "carla@uni.BR"}
    assert matching.unmatched == ()


def test_an_lms_id_from_another_lms_is_not_trusted():
    # a Moodle participant number means nothing in a Canvas roster: the id is compared instead
    result = submission("nobody", {}, source=SubmissionSource("moodle", "1002", name="Bruno"))
    matching = match_submissions((result,), STUDENTS, "canvas")
    assert matching.by_row == {} and [(u.submission, u.reason, u.name) for u in matching.unmatched] == [
        ("nobody", "no_student", "Bruno")]


def test_ambiguous_and_duplicate_are_listed_not_dropped():
    results = (submission("shared", {}), submission("a", {}, source=SubmissionSource("canvas", "1001")),
               submission("b", {}, source=SubmissionSource("canvas", "1001")))
    matching = match_submissions(results, STUDENTS, "canvas")
    assert {r.id for r in matching.by_row.values()} == {"a"}
    assert {(u.submission, u.reason) for u in matching.unmatched} == {("shared", "ambiguous"), ("b", "duplicate")}


def test_email_local_parts_only_when_unique():
    assert email_local_parts(["ana@a.br", "ana@b.br", "bia@a.br", "sem-arroba"]) == {"bia@a.br": "bia"}


def test_roster_reading(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffStudent;ID\nAna;1\n".encode())
    roster = read_roster(path, ("Student", "ID"), "Canvas gradebook export")
    assert roster.bom and roster.delimiter == ";" and roster.rows == ({"Student": "Ana", "ID": "1"},)
    with pytest.raises(UsageError, match="is not a Canvas gradebook export: no column SIS User ID"):
        read_roster(path, ("SIS User ID",), "Canvas gradebook export")
    path.write_bytes(b"Student,ID\n\xe9\n")
    with pytest.raises(UsageError, match="not UTF-8"):
        read_roster(path, (), "x")
    with pytest.raises(UsageError) as info:
        read_roster(tmp_path / "none.csv", (), "x")
    assert info.value.key == "usage.roster_unreadable"
