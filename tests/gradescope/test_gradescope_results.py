"""A graded submission as Gradescope's results.json: the mapping, visibilities, failures, the schema."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema

from grader.gradescope.results import failure_results, gradescope_results
from grader.late import LatePolicy, late_penalty
from grader.messages import load_catalogue
from tests.test_report import SECRET_EXPECTED, SECRET_MESSAGE, sample_assignment, sample_result

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text(encoding="utf-8"))
TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "output_format", "visibility"}
PT = load_catalogue("pt")


def results_json(result=None, **kw) -> dict:
    data = gradescope_results(result or sample_result(), sample_assignment(), PT, seconds=42.6, **kw).to_json()
    jsonschema.validate(data, SCHEMA)
    return data


def test_one_test_per_check_with_every_documented_field():
    data = results_json()
    tests = {t["name"].rsplit(": ", 1)[1]: t for t in data["tests"]}
    assert list(tests) == [c.id for c in sample_result().checks]
    assert all(set(t) == TEST_FIELDS for t in data["tests"])
    assert tests["d1-params"]["number"] == "1.2" and tests["d3-estrutura"]["number"] == "2.1"
    assert tests["d1-params"]["name"] == "Desafio 1: parâmetros: d1-params"
    assert (tests["d3-estrutura"]["score"], tests["d3-estrutura"]["max_score"]) == (2.25, 3)
    assert tests["d3-estrutura"]["status"] == "failed" and tests["d1-executa"]["status"] == "passed"
    assert data["score"] == 13.5 and data["execution_time"] == 43
    assert data["stdout_visibility"] == "hidden" and data["output_format"] == "md"
    assert data["output"].startswith("Nota: 13,5 de 20.")


def test_a_hidden_check_stays_hidden_and_reveals_nothing():
    data = results_json()
    hidden = next(t for t in data["tests"] if t["name"].endswith("d1-oculta"))
    assert hidden["visibility"] == "hidden" and hidden["output"] == ""
    text = json.dumps(data, ensure_ascii=False)
    assert SECRET_MESSAGE not in text and str(SECRET_EXPECTED) not in text


def test_visibilities_map_onto_gradescopes():
    visibility = {t["name"].rsplit(": ", 1)[1]: t["visibility"] for t in results_json()["tests"]}
    assert visibility["d3-prazo"] == "after_due_date" and visibility["d1-params"] == "visible"
    unknown = replace(sample_result(), checks=tuple(replace(c, visibility="someday") for c in sample_result().checks))
    assert {t["visibility"] for t in results_json(unknown)["tests"]} == {"hidden"}  # never shown by mistake


def test_leaderboard_has_the_measured_accuracy_of_visible_accuracy_checks():
    data = results_json()
    assert data["leaderboard"] == [{"name": "Acurácia no teste (bonus-acuracia)", "value": 0.8731, "order": "desc"}]
    assert "leaderboard" not in results_json(with_leaderboard=False)


def test_the_score_is_the_one_after_the_late_penalty():
    due = datetime(2026, 11, 20, 23, 59, tzinfo=timezone(timedelta(hours=-3)))
    penalty = late_penalty(due + timedelta(hours=30), LatePolicy(due, 10.0), 13.5, 20)
    data = results_json(replace(sample_result(), late=penalty))
    assert data["score"] == penalty.score == 10.8
    assert "−20%" in data["output"]


def test_a_submission_that_could_not_be_graded_is_one_visible_test():
    broken = replace(sample_result(), status="error", error="o arquivo não é JSON", checks=(), score=0)
    data = results_json(broken)
    assert data["score"] == 0 and len(data["tests"]) == 1
    test = data["tests"][0]
    assert test["visibility"] == "visible" and test["score"] == 0 and test["max_score"] == 20
    assert "o arquivo não é JSON" in test["output"]


def test_failure_results_follow_the_format_in_english_too():
    data = failure_results(load_catalogue("en")("gradescope.grader_failed"), 20, load_catalogue("en")).to_json()
    jsonschema.validate(data, SCHEMA)
    assert "not your mistake" in data["tests"][0]["output"] and data["score"] == 0


def test_the_schema_refuses_what_gradescope_would_not_read():
    good = results_json()
    for broken in ({**good, "tests": [{**good["tests"][0], "visibility": "students"}]},
                   {**good, "scroe": 1}, {"tests": [{"name": "x"}]}):
        try:
            jsonschema.validate(broken, SCHEMA)
        except jsonschema.ValidationError:
            continue
        raise AssertionError(f"the schema accepted {broken}")
