"""Moodle's offline grading worksheet: the downloaded columns kept, Grade / Last modified / Feedback filled."""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime, timezone

import pytest

from grader.errors import UsageError
from grader.export import ExportOptions
from grader.export.moodle import feedback_comment, moodle_date, write_moodle_worksheet
from grader.lms_names import SubmissionSource

HEADER = ("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
          "Last modified (submission),Last modified (grade),Feedback comments")
ROSTER = HEADER + """
Participant 3301,Ana Souza,ana.souza@uni.br,Submitted for grading,,"10,00",Yes,"Tuesday, 10 March 2026, 11:00 PM",-,
Participant 3302,Bruno Lima,bruno@uni.br,Submitted for grading,,"10,00",Yes,"Tuesday, 10 March 2026, 10:00 PM",-,
Participant 3303,Carla Dias,carla@uni.br,No submission,"5,00","10,00",Yes,-,"Monday, 9 March 2026, 9:00 AM",antes
"""
NOW = datetime(2026, 12, 1, 13, 5, tzinfo=timezone.utc)


@pytest.fixture
def moodle_results(lms_results):
    """Bruno's notebook came from Moodle's download: participant 3302."""
    subs = list(lms_results.submissions)
    subs[1] = dataclasses.replace(subs[1], source=SubmissionSource("moodle", "3302", name="Bruno Lima"))
    return dataclasses.replace(lms_results, submissions=tuple(subs))


def write(tmp_path, results, text=ROSTER, encoding="utf-8", lang="pt"):
    roster = tmp_path / "worksheet.csv"
    roster.write_text(text, encoding=encoding)
    path = tmp_path / "upload.csv"
    outcome = write_moodle_worksheet(results, path, ExportOptions(roster=roster, lang=lang, now=NOW))
    return path, outcome


def read(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_round_trip_keeps_moodles_columns_and_fills_grades(tmp_path, moodle_results):
    path, outcome = write(tmp_path, moodle_results)
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == HEADER.split(",")
    rows = {r["Identifier"]: r for r in read(path)}
    ana, bruno, carla = rows["Participant 3301"], rows["Participant 3302"], rows["Participant 3303"]
    assert ana["Grade"] == "2,4" and bruno["Grade"] == "8"  # the worksheet's decimal comma
    assert ana["Last modified (grade)"] == "Tuesday, 1 December 2026, 1:05 PM"
    assert ana["Feedback comments"] == ("3 de 10 pontos: 1 verificação(ões) aprovada(s), 2 não aprovada(s). "
                                        "1 resposta(s) aguardam a revisão do professor. Desconto por atraso: "
                                        "−20%, nota 2.4. Relatório completo: ana.souza/report.html")
    assert "mensagem de oculta" not in ana["Feedback comments"] and "42" not in ana["Feedback comments"]
    assert (carla["Grade"], carla["Feedback comments"]) == ("5,00", "antes")  # no submission: as downloaded
    assert ana["Status"] == "Submitted for grading" and ana["Maximum Grade"] == "10,00"
    zeca = rows[""]
    assert zeca["Full name"] == "zeca" and "zeca" in zeca["Feedback comments"]  # listed, Moodle skips it
    assert (outcome.written, outcome.without_submission, outcome.warnings) == (2, 1, ())
    assert [u.submission for u in outcome.unmatched] == ["zeca"]


def test_dot_decimals_semicolons_and_a_bom_are_kept(tmp_path, moodle_results):
    text = ROSTER.replace('"10,00"', "10.00").replace('"5,00"', "5.00").replace(",", ";")
    text = text.replace('"Tuesday; 10 March 2026; 11:00 PM"', "-").replace('"Tuesday; 10 March 2026; 10:00 PM"', "-")
    text = text.replace('"Monday; 9 March 2026; 9:00 AM"', "-")
    path, _ = write(tmp_path, moodle_results, text, encoding="utf-8-sig")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"Identifier;Full name" in raw
    rows = {r["Identifier"]: r for r in csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";")}
    assert rows["Participant 3301"]["Grade"] == "2.4"


def test_matched_by_email_without_a_moodle_download(tmp_path, lms_results):
    path, outcome = write(tmp_path, lms_results)
    rows = {r["Identifier"]: r for r in read(path)}
    assert rows["Participant 3301"]["Grade"] == "2,4"  # ana.souza = the e-mail's local part
    assert {u.submission for u in outcome.unmatched} == {"limabruno", "zeca"}


def test_without_feedback_column_grades_only_and_a_warning(tmp_path, moodle_results):
    text = "\n".join(line.rsplit(",", 1)[0] for line in ROSTER.splitlines()) + "\n"
    path, outcome = write(tmp_path, moodle_results, text)
    assert "Feedback comments" not in read(path)[0] and outcome.warnings == ("export.misc.moodle_no_feedback",)


def test_not_a_worksheet(tmp_path, moodle_results):
    with pytest.raises(UsageError) as info:
        write(tmp_path, moodle_results, "Student,ID\nAna,1\n")
    assert "no column Identifier, Grade" in str(info.value)


def test_feedback_in_english_and_for_an_errored_notebook(moodle_results):
    ana, _, zeca = moodle_results.submissions
    assert feedback_comment(ana, 10, "en").startswith("3 of 10 points: 1 check(s) passed, 2 not passed.")
    assert feedback_comment(zeca, 10, "pt") == ("O notebook não pôde ser corrigido: notebook inválido. "
                                                "Relatório: zeca/report.html")


def test_moodle_dates():
    assert moodle_date(datetime(2026, 3, 10, 0, 7)) == "Tuesday, 10 March 2026, 12:07 AM"
    assert moodle_date(datetime(2026, 3, 10, 12, 0)) == "Tuesday, 10 March 2026, 12:00 PM"
