"""``answer_text``: a free-text answer states the expected numbers and ideas.

Clear answers pass, contradicting ones fail or earn partial credit, and anything in
between is marked ``review`` for a teacher: an unclear answer is never silently passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.checks.base import Outcome, check_kind, failed, partial, passed
from grader.checks.structure import reference_models_or_error
from grader.checks.text import find_contradictions, find_keyword, normalize, parse_numbers, states_number, unexpected_large_numbers
from grader.facts import NotebookFacts, SectionFacts
from grader.messages import Phrase
from grader.notebook import POSITION
from grader.spec import CheckSpec

ANSWERS, TEMPLATES, WHOLE_SECTION = "__answers__", "__template_answers__", "*"
MAX_SHOWN = 1000
CONTRADICTIONS = {"number": "answer_text.contradiction_number", "keyword": "answer_text.contradiction_keyword"}


@dataclass
class Findings:
    """What an answer states: items found or missing, and what contradicts the reference."""

    items: list[dict[str, Any]] = field(default_factory=list)
    contradictions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(1 for item in self.items if item["status"] == "found")

    @property
    def total(self) -> int:
        return len(self.items)


def student_answer(section: SectionFacts | None, key: str | None) -> str:
    """The answer under ``key``: its tagged cell, else the untagged text after its question,
    else the section's changed text; "" when unchanged or empty."""
    if section is None:
        return ""
    answers = section.values.get(ANSWERS) or {}
    template = normalize((section.values.get(TEMPLATES) or {}).get(key or WHOLE_SECTION) or "")
    candidates = (answers.get(key) if key else None, answers.get(POSITION + key) if key else None,
                  answers.get(WHOLE_SECTION), section.answer_text)
    for text in candidates:
        if isinstance(text, str) and normalize(text) and normalize(text) != template:
            return text
    return ""


def expected_numbers(reference: NotebookFacts, check: CheckSpec) -> list[float | int] | Outcome:
    """Literal ``numbers`` plus the total parameters of each ``numbers_from_models`` model."""
    numbers = list(check.param("numbers", []))
    for name in check.param("numbers_from_models", []):
        models = reference_models_or_error(reference, check, [name])
        if isinstance(models, Outcome):
            return models
        numbers.append(models[0].total_params)
    return numbers


def examine(text: str, numbers: list[float | int], groups: list[list[str]], contradicting: list[str]) -> Findings:
    """Match numbers and keyword groups in ``text`` and collect contradictions."""
    findings, stated = Findings(), parse_numbers(text)
    for number in numbers:
        status = "found" if states_number(stated, number) else "missing"
        findings.items.append({"kind": "number", "expected": number, "status": status})
    for group in groups:
        match = find_keyword(text, group)
        findings.items.append({"kind": "keywords", "expected": list(group), "status": "found" if match else "missing", "matched": match})
    for word in find_contradictions(text, contradicting):
        findings.contradictions.append({"kind": "keyword", "value": word})
    if any(item["kind"] == "number" and item["status"] == "missing" for item in findings.items):
        for value in unexpected_large_numbers(stated, numbers):
            findings.contradictions.append({"kind": "number", "value": int(value) if value.is_integer() else value})
    return findings


def judge(findings: Findings, shown: dict[str, Any]) -> Outcome:
    """Turn findings into an Outcome: passed, partial/failed on contradiction, else review."""
    found, total = findings.found, findings.total
    params = {"found": found, "total": total}
    if findings.contradictions:
        # what the student wrote, each item saying why it contradicts, numbers in the reader's locale
        params["contradiction"] = [Phrase(CONTRADICTIONS[c["kind"]], {"value": c["value"]})
                                   for c in findings.contradictions]
        if found == 0:
            return failed("answer_text.contradicted", params=params, **shown)
        # A contradiction always costs something, even when every item was also found.
        fraction = found / total if found < total else total / (total + 1)
        return partial(fraction, "answer_text.partial", params=params, **shown)
    if found == total:
        return passed("answer_text.passed", params=params, **shown)
    return Outcome("review", found / total, "answer_text.review", params=params, **shown)


@check_kind(
    "answer_text",
    optional=("answer", "numbers", "numbers_from_models", "any_of", "none_of"),
    models=False, evaluation=False, reference_model_param="numbers_from_models", reveals="verdict", kit=True,
)
def check_answer_text(student: NotebookFacts, reference: NotebookFacts, check: CheckSpec) -> Outcome:
    """Look for expected numbers and keyword groups, and for contradicting words or numbers."""
    numbers = expected_numbers(reference, check)
    if isinstance(numbers, Outcome):
        return numbers
    groups = [list(g) for g in check.param("any_of", [])]
    # students see the expected numbers, never the keyword lists (they would invite keyword
    # stuffing); the lists stay in ``details``, for instructors reading results.json
    expected = {"numbers": numbers} if numbers else None
    text = student_answer(student.section(check.section), check.param("answer"))
    if not text:
        return failed("answer_text.empty", expected=expected, actual="", details={"any_of": groups})
    findings = examine(text, numbers, groups, list(check.param("none_of", [])))
    details = {"items": findings.items, "contradictions": findings.contradictions, "any_of": groups}
    shown = {"expected": expected, "actual": text[:MAX_SHOWN], "details": details}
    if not findings.items and not findings.contradictions:
        return Outcome("review", 1.0, "answer_text.review_free", **shown)
    return judge(findings, shown)
