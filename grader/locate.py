"""Sections whose heading the student changed or removed, found by their model instead.

Real hand-ins ignore the handout's headings ("### LeNet 5:", English titles, none at
all). When a section is not found by its heading, the checks look for its model in the
whole notebook, by structure (see :func:`grader.checks.structure.resolve_model`); the
submission then goes to the review queue with a note saying where the model was found.
"""

from __future__ import annotations

import dataclasses

from grader.facts import ModelFacts, NotebookFacts
from grader.spec import Assignment

SECTION_BY_STRUCTURE = "section_by_structure"


def locate_section_model(student: NotebookFacts, reference: NotebookFacts, section_id: str,
                         checks=None) -> ModelFacts | None:
    """The model that stands for a section not found by its heading, per its first model check."""
    from grader.checks.structure import Selection, resolve_model

    if student.section(section_id) is not None or not student.other_models:
        return None
    for check in checks if checks is not None else ():
        if check.section == section_id and check.param("reference_model") is not None:
            selection = resolve_model(student, reference, check)
            return selection.model if isinstance(selection, Selection) else None
    return None


def add_structure_notes(student: NotebookFacts, reference: NotebookFacts, assignment: Assignment) -> NotebookFacts:
    """``student`` with a review note for each section found by structure instead of by heading."""
    notes = []
    for spec in assignment.sections:
        model = locate_section_model(student, reference, spec.id, assignment.checks)
        if model is None:
            continue
        notes.append({"kind": SECTION_BY_STRUCTURE, "section": spec.id,
                      "cell": None if model.created_cell is None else model.created_cell + 1,
                      "model": model.names[0] if model.names else ""})
    if not notes:
        return student
    return dataclasses.replace(student, review_notes=tuple(student.review_notes) + tuple(notes))
