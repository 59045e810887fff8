"""The ``[late]`` table of assignment.toml: parsed into a LatePolicy, every mistake named."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from grader.checks import default_registry
from grader.errors import SpecError
from grader.spec import Assignment, load_assignment
from tests.test_spec import VALID


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.fixture
def load(tmp_path, registry):
    def _load(late: str):
        for name in ("mini.ipynb", "ref.ipynb"):
            (tmp_path / name).write_text("{}", encoding="utf-8")
        path = tmp_path / "assignment.toml"
        path.write_text(VALID + "\n[late]\n" + late, encoding="utf-8")
        return load_assignment(path, registry)

    return _load


def error(load, late: str) -> str:
    with pytest.raises(SpecError) as info:
        load(late)
    assert "[late]" in str(info.value) and "\n" not in str(info.value)
    return str(info.value)


def test_no_table_no_policy(tmp_path, registry):
    for name in ("mini.ipynb", "ref.ipynb"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / "assignment.toml").write_text(VALID, encoding="utf-8")
    assert load_assignment(tmp_path / "assignment.toml", registry).late is None


def test_full_table_is_typed(load):
    late = load('due = 2026-03-10T23:59:00-03:00\npercent_per_hour = 1.5\ngrace_minutes = 15\n'
                'cap_percent = 30\nof = "max_score"\n').late
    assert late.due == datetime(2026, 3, 10, 23, 59, tzinfo=timezone(timedelta(hours=-3)))
    assert (late.percent, late.per, late.grace, late.cap, late.of) == (1.5, "hour", timedelta(minutes=15), 30, "max_score")


def test_defaults_and_a_string_due_date(load):
    late = load('due = "2026-03-10T23:59:00Z"\npercent_per_day = 10\n').late
    assert late.due == datetime(2026, 3, 10, 23, 59, tzinfo=timezone.utc)
    assert (late.per, late.grace, late.cap, late.of) == ("day", timedelta(0), 100, "score")


def test_the_policy_survives_the_assignment_snapshot(load):
    assignment = load('due = 2026-03-10T23:59:00-03:00\npercent_per_day = 10\ngrace_minutes = 5\n')
    assert Assignment.from_json(json.loads(json.dumps(assignment.to_json()))).late == assignment.late


@pytest.mark.parametrize("late, says", [
    ("percent_per_day = 10\n", "missing key 'due'"),
    ("due = 2026-03-10T23:59:00\npercent_per_day = 10\n", "time zone"),
    ('due = "amanhã"\npercent_per_day = 10\n', "not an ISO 8601"),
    ("due = 2026-03-10\npercent_per_day = 10\n", "date and time"),
    ("due = 2026-03-10T23:59:00Z\n", "exactly one of 'percent_per_day' and 'percent_per_hour'"),
    ("due = 2026-03-10T23:59:00Z\npercent_per_day = 10\npercent_per_hour = 1\n", "exactly one"),
    ("due = 2026-03-10T23:59:00Z\npercent_per_day = 150\n", "'percent_per_day' must be between 0 and 100"),
    ("due = 2026-03-10T23:59:00Z\npercent_per_day = 10\ncap_percent = -5\n", "'cap_percent' must be between"),
    ('due = 2026-03-10T23:59:00Z\npercent_per_day = 10\ngrace_minutes = "15m"\n', "'grace_minutes' must be a number"),
    ("due = 2026-03-10T23:59:00Z\npercent_per_day = 10\nof = 'pontos'\n", "'of' must be 'score' or 'max_score'"),
    ("due = 2026-03-10T23:59:00Z\npercent_per_dia = 10\n", "unknown key 'percent_per_dia' (did you mean 'percent_per_day'?)"),
])
def test_mistakes_are_named(load, late, says):
    assert says in error(load, late)
