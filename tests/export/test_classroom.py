"""GitHub Classroom: base64 JSON the autograding reporter decodes, written to $GITHUB_OUTPUT."""

from __future__ import annotations

import base64
import json

from grader.export.classroom import classroom_result, encode_result, write_github_output


def decode(encoded: str) -> dict:
    return json.loads(base64.b64decode(encoded).decode("utf-8"))


def test_decodes_to_the_documented_fields(lms_results):
    ana = lms_results.submissions[0]
    data = decode(encode_result(classroom_result(ana, "pt")))
    assert set(data) == {"version", "status", "max_score", "tests"}
    assert (data["version"], data["status"], data["max_score"]) == (1, "fail", 10.0)
    tests = {t["name"]: t for t in data["tests"]}
    assert {k: (t["status"], t["score"]) for k, t in tests.items()} == {
        "valor": ("pass", 2.0), "forma": ("fail", 1.0), "oculta": ("fail", 0.0), "texto": ("fail", 0.0)}
    assert all({"name", "status", "score", "message", "line_no"} <= set(t) for t in data["tests"])
    assert tests["valor"]["message"] == "mensagem de valor" and tests["valor"]["line_no"] == 0
    assert tests["oculta"]["message"].startswith("verificação oculta")  # nothing of the check itself
    assert "aguardando a revisão" in tests["texto"]["message"]
    # the reporter's total: the sum of the tests' scores over max_score
    assert sum(t["score"] for t in data["tests"]) == ana.score


def test_overall_status(lms_results):
    _, bruno, zeca = lms_results.submissions
    assert classroom_result(bruno)["status"] == "pass"
    broken = classroom_result(zeca, "en")
    assert broken["status"] == "error" and broken["tests"][0]["name"] == "notebook"
    assert broken["tests"][0]["message"] == "the notebook could not be graded: notebook inválido"


def test_github_output_file(lms_results, tmp_path):
    path = tmp_path / "github_output"
    path.write_text("other=1\n", encoding="utf-8")
    encoded = encode_result(classroom_result(lms_results.submissions[1]))
    write_github_output(path, encoded)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "other=1" and lines[1] == f"result={encoded}" and "\n" not in encoded
