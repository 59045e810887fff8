"""The submission times file: TOML or CSV, aware ISO 8601 times, mistakes named with where they are."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grader.errors import UsageError
from grader.submission_times import load_submission_times, submission_times_path

BRT = timezone(timedelta(hours=-3))


def test_toml_with_native_and_string_times(tmp_path):
    path = tmp_path / "submitted.toml"
    path.write_text('[submitted]\nana = 2026-03-10T23:40:00-03:00\n"joão" = "2026-03-11T09:15:00Z"\n',
                    encoding="utf-8")
    assert load_submission_times(path) == {
        "ana": datetime(2026, 3, 10, 23, 40, tzinfo=BRT),
        "joão": datetime(2026, 3, 11, 9, 15, tzinfo=timezone.utc)}


def test_csv_from_a_spreadsheet(tmp_path):
    path = tmp_path / "submitted.csv"
    path.write_bytes("\ufeffid,submitted,nome\nana,2026-03-10T23:40:00-03:00,Ana\n,,\n".encode("utf-8"))
    assert load_submission_times(path) == {"ana": datetime(2026, 3, 10, 23, 40, tzinfo=BRT)}


def test_default_file_in_the_submissions_folder(tmp_path):
    assert submission_times_path(tmp_path) is None and load_submission_times(None) == {}
    (tmp_path / "submitted.csv").write_text("id,submitted\n", encoding="utf-8")
    assert submission_times_path(tmp_path) == tmp_path / "submitted.csv"
    (tmp_path / "submitted.toml").write_text("[submitted]\n", encoding="utf-8")
    assert submission_times_path(tmp_path) == tmp_path / "submitted.toml"  # TOML first
    assert submission_times_path(tmp_path, tmp_path / "x.csv") == tmp_path / "x.csv"
    assert submission_times_path(None) is None


@pytest.mark.parametrize("name, text, says", [
    ("submitted.toml", "[submitted]\nana = 2026-03-10T23:40:00\n", "[submitted] ana: 2026-03-10T23:40:00 has no time zone"),
    ("submitted.toml", '[submitted]\nana = "ontem"\n', "'ontem' is not an ISO 8601 date-time"),
    ("submitted.toml", "ana = 2026-03-10T23:40:00Z\n", "one table [submitted]"),
    ("submitted.toml", "[submitted\n", "TOML"),
    ("submitted.toml", "[submitted]\nana.souza = 2026-03-10T23:40:00Z\n", 'an id with a dot must be quoted'),
    ("submitted.csv", "aluno,quando\nana,2026-03-10T23:40:00Z\n", "needs the columns id, submitted"),
    ("submitted.csv", "id,submitted\nana,2026-03-10T23:40:00Z\nbia,10/03/2026\n", "line 3: '10/03/2026'"),
])
def test_mistakes_are_usage_errors_that_say_where(tmp_path, name, text, says):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_submission_times(path)
    assert says in str(info.value) and str(path) in str(info.value)
    assert info.value.key == "usage.times_invalid"


def test_a_missing_explicit_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as info:
        load_submission_times(tmp_path / "nao-existe.toml")
    assert info.value.key == "usage.times_missing"
