"""``run_autograder``'s Python side: grade the submission's notebook, write Gradescope's results.json.

The tree (``/autograder`` unless ``GRADER_AUTOGRADER_ROOT`` says otherwise)::

    source/gradescope.json          the settings the zip was built with
    source/assignments/<id>/        the assignment; source/reference/ its solution
    submission/*.ipynb              the student's upload
    submission_metadata.json        Gradescope's: submission time, due dates, earlier attempts
    results/results.json            written here, always

A provisional results.json saying the grader did not finish is written first, so that a run
killed by Gradescope's time or memory limit still leaves a plain message; any failure of the
grader itself ends as one visible test with score 0, its traceback on stdout (instructors only).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from grader.assignments import load as load_assignment
from grader.discovery import Submission
from grader.errors import NotebookError
from grader.gradescope.metadata import METADATA_NAME, SubmissionMetadata, read_metadata
from grader.gradescope.results import GradescopeResults, failure_results, gradescope_results
from grader.gradescope.settings import SETTINGS_NAME, AutograderSettings
from grader.late_apply import apply_late_policy
from grader.messages import Catalogue, load_catalogue
from grader.notebook import load_notebook
from grader.results import SubmissionResult
from grader.backends import LocalPool
from grader.grading import grade_all
from grader.run import make_context
from grader.spec import Assignment

log = logging.getLogger(__name__)

DEFAULT_ROOT = "/autograder"
RESULTS_NAME = "results.json"
LOG_NAME = "grader.log"


class NoNotebook(Exception):
    """The upload holds no ``.ipynb``: the student's mistake, said plainly."""


@dataclass(frozen=True)
class AutograderTree:
    """The paths of one Gradescope run under ``root``."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def results(self) -> Path:
        return self.root / "results" / RESULTS_NAME

    def settings(self) -> AutograderSettings:
        return AutograderSettings.from_json(json.loads((self.source / SETTINGS_NAME).read_text(encoding="utf-8")))


def write_results(path: Path, results: GradescopeResults) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(results.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def pick_notebook(folder: Path, spec: Assignment, cat: Catalogue) -> tuple[Path, tuple[str, ...]]:
    """The notebook to grade: the only one, else the one named like the handout, else the first."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb")
                       if not any(part.startswith(".") or part == "__MACOSX" for part in p.relative_to(folder).parts))
    if not notebooks:
        raise NoNotebook(cat("gradescope.no_notebook", notebook=spec.notebook_path.name))
    if len(notebooks) == 1:
        return notebooks[0], ()
    chosen = next((n for n in notebooks if n.name == spec.notebook_path.name), notebooks[0])
    return chosen, (cat("gradescope.several_notebooks", count=len(notebooks), graded=chosen.name),)


def _with_late_policy(result: SubmissionResult, spec: Assignment, metadata: SubmissionMetadata | None
                      ) -> SubmissionResult:
    """The spec's late policy, due at Gradescope's due date when it gives one, for Gradescope's submission time."""
    policy = spec.late
    if policy is None or metadata is None or metadata.submitted_at is None:
        return result
    if metadata.due_date is not None:
        policy = dataclasses.replace(policy, due=metadata.due_date)
    return apply_late_policy({result.id: result}, policy, {result.id: metadata.submitted_at}).results[result.id]


def _print_for_instructors(result: SubmissionResult) -> None:
    """Every check, hidden ones included, on stdout: Gradescope shows it to instructors only."""
    stored = ", facts from the store" if result.cached else ""
    print(f"{result.id}: {result.status}, {result.score} / {result.max_score} ({result.path}{stored})")
    for check in result.checks:
        print(f"  [{check.visibility}] {check.id}: {check.status} {check.score}/{check.max_score} {check.message}")
    if result.error:
        print(f"  error: {result.error}")


def _context(tree: AutograderTree, settings: AutograderSettings, store: Path | None):
    spec, registry = load_assignment(settings.assignment, tree.source / settings.assignments_dir)
    context = make_context(spec, data_dir=tree.source / settings.data_dir,
                           store=store or tree.source / settings.store, no_store=False, cell_timeout=None, jobs=2,
                           catalogue=load_catalogue(settings.lang))
    return spec, registry, context


def grade_submission(tree: AutograderTree, settings: AutograderSettings, cat: Catalogue,
                     store: Path | None = None) -> GradescopeResults:
    """Grade the upload; raises for a failure of the grader (the caller turns it into results)."""
    started = time.monotonic()
    spec, registry, context = _context(tree, settings, store)
    try:
        notebook, notes = pick_notebook(tree.submission, spec, cat)
    except NoNotebook as exc:
        return failure_results(str(exc), spec.max_score, cat)
    try:  # not a notebook: one plain message, before any kernel starts
        load_notebook(notebook)
    except NotebookError as exc:
        return failure_results(cat("gradescope.not_graded", reason=str(exc)), spec.max_score, cat, notes=notes)
    metadata = read_metadata(tree.root / METADATA_NAME)
    if metadata is not None and metadata.attempt > 1:
        notes += (cat("gradescope.attempt", number=metadata.attempt),)
    sub = Submission("submission", notebook, str(notebook.relative_to(tree.submission)))
    log_path = tree.root / LOG_NAME
    graded, _ = grade_all([sub], context, registry, load_catalogue(settings.lang), LocalPool(2, log_path))
    result = _with_late_policy(graded[sub.id][0], spec, metadata)
    _print_for_instructors(result)
    return gradescope_results(result, spec, cat, seconds=time.monotonic() - started, notes=notes,
                              with_leaderboard=settings.leaderboard, kinds=registry)


def autograde(*, root: Path, store: Path | None = None) -> GradescopeResults:
    """Grade ``root``'s submission and write ``root/results/results.json``, whatever happens."""
    tree = AutograderTree(Path(root))
    try:
        settings = tree.settings()
    except (OSError, ValueError, TypeError) as exc:  # a zip not built by grader gradescope build
        print(f"cannot read {tree.source / SETTINGS_NAME}: {exc}")
        settings = AutograderSettings(assignment="")
    cat = load_catalogue(settings.lang)
    write_results(tree.results, failure_results(cat("gradescope.unfinished"), settings.max_score, cat))
    try:
        if not settings.assignment:
            raise RuntimeError(f"{SETTINGS_NAME} names no assignment")
        results = grade_submission(tree, settings, cat, store)
    except Exception:  # the grader's own failure: a plain visible message, the details for instructors
        print("the grader failed:", file=sys.stdout)
        traceback.print_exc(file=sys.stdout)
        results = failure_results(cat("gradescope.grader_failed"), settings.max_score, cat)
    write_results(tree.results, results)
    return results


def warm(*, root: Path, store: Path | None = None) -> None:
    """Execute the reference solution once and store its facts (``setup.sh``, at image build)."""
    tree = AutograderTree(Path(root))
    settings = tree.settings()
    spec, registry, context = _context(tree, settings, store)
    grade_all([], context, registry, load_catalogue(settings.lang), LocalPool(1, tree.root / LOG_NAME))
    print(f"reference solution of {spec.id} stored in {context.store_path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope.autograde")
    parser.add_argument("--warm", action="store_true", help="only execute and store the reference solution")
    args = parser.parse_args(argv)
    # read once, here at the edge: the tree's root, and a store to use instead of the zip's own
    root = Path(os.environ.get("GRADER_AUTOGRADER_ROOT") or DEFAULT_ROOT)
    store = Path(os.environ["GRADER_STORE"]) if os.environ.get("GRADER_STORE") else None
    if args.warm:
        warm(root=root, store=store)
    else:
        autograde(root=root, store=store)
    return 0


if __name__ == "__main__":
    sys.exit(main())
