"""The kit of every assignment: built from the graded run's reference facts, nothing leaks, same verdicts.

Reads the session's ``graded_examples`` run (no kernel of its own): the kit's verdicts are
computed on the facts that run stored, through the scoring ``grader check --kit`` uses.
"""

from __future__ import annotations

import json

import pytest

from grader.facts import NotebookFacts
from grader.kit.files import load_kit
from grader.kit.judging import score_with_kit
from grader.messages import load_catalogue
from tests.kit.kit_cases import (ASSIGNMENTS, build_kit, kit_texts, public_text, reference_sources, run_reference,
                                 secret_texts)

pytestmark = pytest.mark.kernel


def visible_verdicts_of_full_run(submission: dict, kit) -> dict[str, str]:
    """The full run's status of each check in the kit; a function check judged on its visible inputs only."""
    found = {}
    for check in submission["checks"]:
        if check["visibility"] != "visible":
            continue
        status = check["status"]
        rows = (check.get("details") or {}).get("calls") if isinstance(check.get("details"), dict) else None
        if check["id"] in kit.hidden_inputs and rows:
            matched = sum(r["status"] == "match" for r in rows)
            status = "passed" if matched == len(rows) else "failed" if matched == 0 else "partial"
        found[check["id"]] = status
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_kit_holds_no_hidden_input_no_unrevealed_value_no_reference(assignment, graded_examples, tmp_path):
    graded = graded_examples(assignment)
    folder = tmp_path / "kit"
    contents = build_kit(assignment, graded.out, folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["kit.json", contents.assignment.notebook])
    texts, public = kit_texts(folder), public_text(folder, contents)
    secrets = {s for s in secret_texts(assignment, run_reference(graded.out)) if len(s) >= 3 and s not in public}
    assert secrets, "the leak test must look for something"
    for name, text in texts.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{assignment} kit, {name}: {leaked[:8]}"
        for source in reference_sources(assignment):
            assert source not in text, f"{assignment} kit, {name} holds a reference cell: {source[:80]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_kit_verdicts_equal_the_full_run_on_the_same_facts(assignment, graded_examples, tmp_path):
    graded = graded_examples(assignment)
    build_kit(assignment, graded.out, tmp_path / "kit")
    kit = load_kit(tmp_path / "kit")  # what a student's grader reads back
    catalogue = load_catalogue("pt")
    compared = 0
    for submission in graded.results["submissions"]:
        facts = NotebookFacts.from_json(json.loads((graded.out / submission["id"] / "facts.json").read_text()))
        result = score_with_kit(submission_id=submission["id"], path=submission["path"], facts=facts, kit=kit,
                                catalogue=catalogue)
        got = {c.id: c.status for c in result.checks}
        assert got == visible_verdicts_of_full_run(submission, kit), submission["id"]
        compared += len(got)
    assert compared >= 2 * len(kit.assignment.checks)


def test_the_pytorch_kit_defers_its_judged_units_and_holds_no_reference_code(graded_examples, tmp_path):
    """``torch_unit`` checks need the judge and the grader's inputs: the kit leaves them to the instructor's run."""
    pytest.importorskip("torch", reason="pytorch-treinamento needs the grader's torch extra")
    graded = graded_examples("pytorch-treinamento")
    folder = tmp_path / "kit"
    contents = build_kit("pytorch-treinamento", graded.out, folder)
    assert set(contents.deferred) == {c.id for c in contents.assignment.checks} and contents.deferred
    assert contents.reference.units == {}  # the reference's measurements stay with the instructor
    reference = run_reference(graded.out)
    measured = reference.units["p1-modelo"]["result"]["variants"][0]["layers"][0]  # "Conv2d(in_channels=3, ...)"
    for name, text in kit_texts(folder).items():
        assert measured not in text, name
        for source in reference_sources("pytorch-treinamento"):
            assert source not in text, f"kit {name} holds a reference cell: {source[:80]}"
