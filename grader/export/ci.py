"""``grader check --junit FILE`` and ``--classroom``: the self-check's result for a CI.

Both read the ``results.json`` the check just wrote beside its report, so they work the same
after ``grader check --assignment`` and ``grader check --kit``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Protocol

from grader import console
from grader.errors import GraderError
from grader.export.classroom import classroom_result, encode_result, write_github_output
from grader.export.junit import write_junit_xml
from grader.export.options import ExportOptions
from grader.messages import load_catalogue
from grader.results import SubmissionResult, load_results


class CheckedNotebook(Protocol):
    """What a self-check hands over (``grader.selfcheck.CheckSummary``, the kit's too): its result, report, exit code."""

    @property
    def result(self) -> SubmissionResult: ...

    @property
    def report(self) -> Path: ...

    @property
    def exit_code(self) -> int: ...


def finish_check(summary: CheckedNotebook, *, junit: Path | None, classroom: bool, github_output: str | None, lang: str) -> int:
    """Write the JUnit file and the Classroom result asked for; the check's exit code (0 with ``--classroom``).

    With ``--classroom`` the step succeeds whenever the notebook was checked: the autograding
    reporter reads the result and fails the job itself when a test failed.
    """
    if not junit and not classroom:
        return int(summary.exit_code)
    results = load_results(Path(summary.report).parent.parent)
    if junit:
        write_junit_xml(results, Path(junit), ExportOptions(lang=lang))
        console.err(load_catalogue(lang)("cli.check.junit_written", file=str(junit)))
    if not classroom:
        return int(summary.exit_code)
    result = next(s for s in results.submissions if s.id == summary.result.id)
    encoded = encode_result(classroom_result(result, lang))
    console.out(encoded)
    if github_output:
        write_github_output(Path(github_output), encoded)
        console.err(load_catalogue(lang)("cli.check.classroom_written", file=github_output))
    return 0


@contextmanager
def classroom_errors(classroom: bool, github_output: str | None, lang: str) -> Iterator[None]:
    """With ``--classroom``, a check that cannot start (no notebook, a bad kit) still gives the reporter
    a result: status ``error`` and the message, instead of an empty output it cannot decode."""
    try:
        yield
    except GraderError as exc:
        if classroom:
            message = exc.render(load_catalogue(lang))
            test = {"name": "notebook", "status": "error", "score": 0, "max_score": 0, "message": message,
                    "test_code": "", "filename": "", "line_no": 0, "execution_time": 0}
            encoded = encode_result({"version": 1, "status": "error", "max_score": 0, "tests": [test]})
            console.out(encoded)
            if github_output:
                write_github_output(Path(github_output), encoded)
        raise
