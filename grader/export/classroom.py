"""GitHub Classroom: one notebook's result as the autograding reporter reads it.

``classroom-resources/autograding-grading-reporter`` reads, for each runner id listed in its
``runners`` input, the environment variable ``<RUNNER>_RESULTS``: base64 of a JSON object
``{version: 1, status, max_score, tests: [{name, status, score, message, ...}]}``, the
``result`` output a grader step writes to ``$GITHUB_OUTPUT``. It sums the tests' scores over
``max_score`` and fails the job when a runner's status is ``fail`` or ``error``. A check that is
not visible to students gives its name, outcome and points only.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from grader.export.junit import student_message
from grader.messages import Catalogue, load_catalogue
from grader.results import CheckResult, SubmissionResult

OUTPUT_NAME = "result"  # the step output the reporter's env var is set from
STATUSES = {"passed": "pass", "failed": "fail", "partial": "fail", "review": "fail", "skipped": "fail",
            "error": "error"}


def _test(check: CheckResult, cat: Catalogue) -> dict[str, Any]:
    return {"name": check.id, "status": STATUSES.get(check.status, "error"), "score": check.score,
            "max_score": check.max_score, "message": student_message(check, cat), "test_code": "", "filename": "",
            "line_no": 0, "execution_time": 0}


def classroom_result(result: SubmissionResult, lang: str = "pt") -> dict[str, Any]:
    """The reporter's JSON for one checked notebook."""
    cat = load_catalogue(lang)
    tests = [_test(c, cat) for c in result.checks]
    if result.status == "error":
        tests.insert(0, {"name": "notebook", "status": "error", "score": 0, "max_score": 0,
                         "message": cat("export.junit.not_graded", reason=result.error or ""), "test_code": "",
                         "filename": "", "line_no": 0, "execution_time": 0})
    statuses = {t["status"] for t in tests}
    status = ("error" if result.status == "error" else "fail" if "fail" in statuses
              else "error" if "error" in statuses else "pass")
    return {"version": 1, "status": status, "max_score": result.max_score, "tests": tests}


def encode_result(data: dict[str, Any]) -> str:
    """Base64 of the compact UTF-8 JSON, as the reporter decodes it."""
    return base64.b64encode(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).decode("ascii")


def write_github_output(path: Path, encoded: str) -> None:
    """Append ``result=<base64>`` to the step's ``$GITHUB_OUTPUT`` file (base64 has no newline to escape)."""
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(f"{OUTPUT_NAME}={encoded}\n")
