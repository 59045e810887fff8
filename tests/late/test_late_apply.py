"""The late policy applied to a run's results, what the instructor is told, and the report's note."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from grader.late import LatePolicy
from grader.late_apply import apply_late_policy, late_messages, previous_times
from grader.messages import load_catalogue
from grader.report.common import Formatter
from grader.report.late import duration, late_note
from grader.results import ExecutionSummary, SubmissionResult

BRT = timezone(timedelta(hours=-3))
DUE = datetime(2026, 3, 10, 23, 59, tzinfo=BRT)
POLICY = LatePolicy(due=DUE, percent=10.0, grace=timedelta(minutes=10))


def result(sub_id: str, score: float = 8.0) -> SubmissionResult:
    return SubmissionResult(sub_id, f"{sub_id}.ipynb", "a" * 64, "graded", score, 10.0, (), (), ExecutionSummary(1.0))


RESULTS = {k: result(k) for k in ("ana", "bia", "caio", "davi")}
TIMES = {"ana": DUE - timedelta(hours=1), "bia": DUE + timedelta(minutes=5), "caio": DUE + timedelta(days=1, hours=2),
         "zeca": DUE}


def test_each_result_gets_its_penalty_and_the_checks_keep_their_score():
    outcome = apply_late_policy(RESULTS, POLICY, TIMES)
    got = outcome.results
    assert got["ana"].late.late == timedelta(0) and got["ana"].final_score == 8.0
    assert got["bia"].late.within_grace and got["bia"].final_score == 8.0
    assert got["caio"].late.units == 2 and got["caio"].final_score == 6.4 and got["caio"].score == 8.0
    assert got["davi"].late is None and got["davi"].final_score == 8.0
    assert outcome.untimed == ("davi",) and outcome.unknown == ("zeca",)
    assert previous_times(got) == {k: v for k, v in TIMES.items() if k != "zeca"}


def test_without_a_policy_no_result_keeps_a_late_object():
    penalised = apply_late_policy(RESULTS, POLICY, TIMES).results
    cleared = apply_late_policy(penalised, None, TIMES)
    assert all(r.late is None for r in cleared.results.values()) and not cleared.untimed
    assert late_messages(cleared, None, None) == []


def test_messages_for_the_instructor():
    outcome = apply_late_policy(RESULTS, POLICY, TIMES)
    keys = dict(late_messages(outcome, POLICY, "subs/submitted.toml"))
    assert keys["cli.late.applied"]["late"] == 2 and keys["cli.late.applied"]["penalised"] == 1
    assert keys["cli.late.untimed"]["ids"] == "davi" and keys["cli.late.unknown"]["ids"] == "zeca"
    none = apply_late_policy(RESULTS, POLICY, {})
    assert [k for k, _ in late_messages(none, POLICY, None)] == ["cli.late.no_times"]
    text = load_catalogue("pt")("cli.late.no_times", **dict(late_messages(none, POLICY, None))["cli.late.no_times"])
    assert "submitted.toml" in text and "nenhum desconto" in text


def test_the_report_note_in_both_languages():
    got = apply_late_policy(RESULTS, POLICY, TIMES).results
    pt, en = Formatter(load_catalogue("pt")), Formatter(load_catalogue("en"))
    note = late_note(got["caio"].late, 10.0, pt)
    assert note.kind == "warn"
    assert note.text == ("Entregue 1 d 2 h depois do prazo (2026-03-10 23:59 UTC-03:00): 2 dia(s) de atraso, −20%. "
                         "Nota antes do desconto: 8 / 10; depois: 6,4 / 10.")
    assert "within the grace period" in late_note(got["bia"].late, 10.0, en).text
    assert late_note(got["ana"].late, 10.0, en).text.startswith("Handed in on time: 2026-03-10 22:59 UTC-03:00")
    assert late_note(None, 10.0, en) is None
    assert duration(timedelta(seconds=10), en) == "1 min" and duration(timedelta(hours=3, minutes=5), en) == "3 h 5 min"


def test_times_from_the_lms_download_and_its_late_marker():
    import dataclasses

    from grader.late_apply import lms_times
    from grader.lms_names import SubmissionSource

    results = {
        "ana": dataclasses.replace(result("ana"), source=SubmissionSource(
            "gradescope", "ana@uni.br", submitted_at="2026-03-12T01:00:00-03:00")),
        "bia": dataclasses.replace(result("bia"), source=SubmissionSource("canvas", "1002", late=True)),
        "caio": dataclasses.replace(result("caio"), source=SubmissionSource("x", "3", submitted_at="2026-03-12T01:00")),
    }
    times = lms_times(results)
    assert times == {"ana": datetime(2026, 3, 12, 1, 0, tzinfo=BRT)}  # a time without its zone is not guessed
    outcome = apply_late_policy(results, POLICY, times)
    assert outcome.results["ana"].late.units == 2 and outcome.untimed == ("bia", "caio")
    assert outcome.flagged == ("bia",)
    keys = dict(late_messages(outcome, POLICY, None))
    assert keys["cli.late.flagged"]["ids"] == "bia"
    none = apply_late_policy(results, POLICY, {})
    assert [k for k, _ in late_messages(none, POLICY, None)] == ["cli.late.no_times", "cli.late.flagged"]


def test_the_dashboard_counts_the_grades_after_the_penalty():
    from grader.report import render_index
    from grader.results import AssignmentInfo, RunResults

    got = apply_late_policy(RESULTS, POLICY, TIMES).results  # caio: 8 -> 6.4, the others 8
    run = RunResults("0.1.0", AssignmentInfo("a", "A", 10.0, ()), tuple(got.values()))
    html = render_index(run, load_catalogue("en"), {k: f"{k}/report.html" for k in got})
    assert "Mean 7.6 · median 8" in html and "−20%" in html
