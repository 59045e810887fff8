"""Gradescope's submission_metadata.json: the times, users and earlier attempts the grader uses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from grader.gradescope.metadata import parse_metadata, read_metadata

SAMPLE = {  # as documented (submission_metadata/), trimmed
    "id": 123456,
    "created_at": "2026-11-21T14:22:32.365935-03:00",
    "assignment": {"due_date": "2026-11-20T23:59:00.000000-03:00", "late_due_date": None, "title": "ReLU",
                   "total_points": "20.0"},
    "submission_method": "upload",
    "users": [{"email": "ana@usp.br", "id": 1234, "name": "Ana Silva"}],
    "previous_submissions": [{"submission_time": "2026-11-20T10:00:00-03:00", "score": 12.0, "results": {}},
                             {"submission_time": "2026-11-19T10:00:00-03:00", "score": "9.5", "results": {}}],
}
BRT = timezone(timedelta(hours=-3))


def test_times_users_and_attempts():
    meta = parse_metadata(SAMPLE)
    assert meta.submitted_at == datetime(2026, 11, 21, 14, 22, 32, 365935, tzinfo=BRT)
    assert meta.due_date == datetime(2026, 11, 20, 23, 59, tzinfo=BRT) and meta.late_due_date is None
    assert [(u.name, u.email, u.id) for u in meta.users] == [("Ana Silva", "ana@usp.br", "1234")]
    assert meta.previous_scores == (9.5, 12.0) and meta.attempt == 3  # oldest first
    assert meta.submission_id == "123456"


def test_missing_or_unreadable_fields_are_absent_not_errors():
    meta = parse_metadata({"created_at": "yesterday", "assignment": {"due_date": "2026-11-20T23:59:00"}})
    assert meta.submitted_at is None and meta.due_date is None  # no offset: not trusted for a late penalty
    assert meta.attempt == 1 and meta.users == ()


def test_read_from_the_tree(tmp_path):
    assert read_metadata(tmp_path / "submission_metadata.json") is None
    (tmp_path / "submission_metadata.json").write_text(json.dumps(SAMPLE), encoding="utf-8")
    assert read_metadata(tmp_path / "submission_metadata.json").attempt == 3
