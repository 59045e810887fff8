"""JUnit XML for any CI: a ``<testsuite>`` per submission, a ``<testcase>`` per check.

Statuses map onto JUnit's outcomes: ``passed`` -> a plain test case; ``failed`` and
``partial`` -> ``<failure>``; ``error`` -> ``<error>``; ``review`` and ``skipped`` ->
``<skipped>`` (nothing was decided against the student). A check that is not visible to
students shows its name and outcome only: no message, never an expected value. Points go
into each case's ``<properties>`` and each suite's (score, maximum, score after the late penalty).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.export.csv import format_number
from grader.export.options import ExportOptions, ExportOutcome
from grader.messages import Catalogue, load_catalogue
from grader.results import CheckResult, RunResults, SubmissionResult

# What XML 1.0 cannot hold at all (control characters, lone surrogates, U+FFFE/U+FFFF): a
# message or error carrying one (text that came from a notebook) would make the file unreadable.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
OUTCOMES = {"failed": "failure", "partial": "failure", "error": "error", "review": "skipped", "skipped": "skipped"}


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=value)


def student_message(check: CheckResult, cat: Catalogue) -> str:
    """What a CI log may say of a check: its message, a review's note, nothing of a hidden check."""
    if check.visibility != "visible":
        return cat("export.junit.hidden")
    if check.status == "review":
        return cat("export.junit.review", message=check.message)
    return check.message


def check_case(check: CheckResult, assignment_id: str, cat: Catalogue) -> ET.Element:
    """The ``<testcase>`` of one check."""
    case = ET.Element("testcase", name=check.id, classname=f"{assignment_id}.{check.section}", time="0")
    _properties(case, {"score": format_number(check.score), "max_score": format_number(check.max_score),
                       "status": check.status, "visibility": check.visibility})
    outcome = OUTCOMES.get(check.status)
    if outcome:
        message = student_message(check, cat)
        element = ET.SubElement(case, outcome, message=message.splitlines()[0] if message else "")
        if outcome != "skipped":
            element.set("type", check.status)
            element.text = message
    return case


def submission_suite(result: SubmissionResult, assignment_id: str, cat: Catalogue) -> ET.Element:
    """The ``<testsuite>`` of one submission; a notebook that could not be graded is one ``<error>`` case."""
    cases = [check_case(c, assignment_id, cat) for c in result.checks]
    if result.status == "error":
        case = ET.Element("testcase", name="notebook", classname=assignment_id, time=f"{result.execution.seconds:.3f}")
        reason = cat("export.junit.not_graded", reason=result.error or "")
        ET.SubElement(case, "error", message=reason.splitlines()[0], type="not_graded").text = reason
        cases.insert(0, case)
    counts = {kind: sum(1 for c in cases if c.find(kind) is not None) for kind in ("failure", "error", "skipped")}
    suite = ET.Element("testsuite", name=result.id, tests=str(len(cases)), failures=str(counts["failure"]),
                       errors=str(counts["error"]), skipped=str(counts["skipped"]),
                       time=f"{result.execution.seconds:.3f}")
    values = {"score": format_number(result.score), "max_score": format_number(result.max_score),
              "final_score": format_number(result.final_score), "path": result.path}
    if result.late is not None:
        values["late_percent"] = format_number(result.late.percent)
    _properties(suite, values)
    suite.extend(cases)
    return suite


def junit_tree(results: RunResults, lang: str) -> ET.ElementTree:
    """The whole run as ``<testsuites>``."""
    cat = load_catalogue(lang)
    suites = [submission_suite(s, results.assignment.id, cat) for s in sorted(results.submissions, key=lambda s: s.id)]
    root = ET.Element("testsuites", name=results.assignment.id)
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr)) for s in suites)))
    root.set("time", f"{sum(float(s.get('time')) for s in suites):.3f}")
    root.extend(suites)
    _xml_safe(root)
    ET.indent(root)
    return ET.ElementTree(root)


def _xml_safe(root: ET.Element) -> None:
    """Replace what XML cannot hold, in every text and attribute, by U+FFFD."""
    for element in root.iter():
        if element.text:
            element.text = NOT_XML.sub("\ufffd", element.text)
        for name, value in element.attrib.items():
            element.set(name, NOT_XML.sub("\ufffd", value))


def write_junit_xml(results: RunResults, path: Path, options: ExportOptions) -> ExportOutcome:
    """Write ``results`` as JUnit XML (UTF-8, with its XML declaration)."""
    junit_tree(results, options.lang).write(Path(path), encoding="utf-8", xml_declaration=True)
    return ExportOutcome(written=len(results.submissions))
