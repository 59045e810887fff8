"""Collect the facts of one notebook: from the store, or from a fresh execution.

The reference solution goes through exactly the same :func:`collect_facts` as a
student's submission; its facts are the expected values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from grader.version import __version__
from grader.cifar10 import JUDGE_SET, cifar10_kind
from grader.datasets import dataset_folders
from grader.errors import NotebookError
from grader.execute import execute_notebook, function_calls, uses_models, value_names
from grader.execute.sandbox import Sandbox
from grader.execute.warm import KernelReserve
from grader.facts import NotebookFacts
from grader.definitions import definitions_source
from grader.inspect import inspect_execution
from grader.inspect.base import harvest_code, judge_files
from grader.inspect.judge import Judge, JudgeSetup
from grader.notebook import attempted_sections, extract_answers, load_notebook, sha256_file, split_sections, template_answers
from grader.spec import Assignment
from grader.store import Store
from grader.workdirs import FREE_MARGIN, disk_too_low, new_workdir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradingContext:
    """Everything a worker needs to grade submissions of one assignment."""

    assignment: Assignment
    dataset_dir: Path
    store_path: Path | None
    sandbox: Sandbox = Sandbox()


# Bumped when a change of the grader changes what a notebook's facts hold (2: answers after
# each question, activations applied in call(), files.download; 3: accuracy on a transformed
# copy, confusion matrices sized by the dataset's classes, harvests taken and tampering,
# retyped questions are no answer, constructor arguments of subclassed models, more Keras 2
# forms; 4: layers in the framework-neutral vocabulary, the model's framework), so stored facts
# are not reused
FACTS_FORMAT = 4


def execution_key(assignment: Assignment, isolation: str = "") -> str:
    """Cache key of facts: execution settings, isolation, exported variables, the template's hash, the format."""
    blob = json.dumps({
        "facts_format": FACTS_FORMAT,
        "isolation": isolation,
        "execution": assignment.execution.to_json(),
        "values": value_names(assignment),
        "calls": function_calls(assignment),
        "units": {c.id: [c.kind, c.params] for c in assignment.checks if c.needs.judged},
        "keras": uses_models(assignment),
        "sections": [s.to_json() for s in assignment.sections],
        "evaluated": assignment.evaluated_sections(),
        "template": sha256_file(assignment.notebook_path),
    }, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def _import_keras() -> None:
    try:
        importlib.import_module("keras")
    except (ImportError, OSError, RuntimeError) as exc:  # inspection imports it again and reports it
        log.info("importing Keras ahead of inspection failed: %s: %s", type(exc).__name__, exc)


def prepare_inspection(assignment: Assignment) -> None:
    """Import Keras in a background thread while the kernel runs, when inspection will need it.

    The import costs a worker about 2 s of one core; started with the kernel, it overlaps the
    student's cells instead of following them (the second notebook of a worker finds it done).
    """
    if uses_models(assignment) and "keras" not in sys.modules:
        threading.Thread(target=_import_keras, name="grader-import-keras", daemon=True).start()


def collect_facts(path: Path, context: GradingContext, *, use_cache: bool = True,
                  status: Path | None = None, reserve: KernelReserve | None = None) -> tuple[NotebookFacts, bool]:
    """Facts of the notebook at ``path``: ``(facts, from_cache)``. Never raises for a bad notebook.

    ``status``: a file where the runner keeps the cell it is executing (for the progress display).
    ``reserve``: a worker's kernels started ahead (:mod:`grader.execute.warm`): this notebook
    takes one if it waits, and launches the next notebook's while it runs.
    """
    assignment = context.assignment
    sha256 = sha256_file(path)
    key = execution_key(assignment, context.sandbox.level)
    store = Store(context.store_path) if context.store_path else None
    if store and use_cache:
        cached = store.get_facts(sha256, key, __version__)
        if cached is not None:
            return cached, True
    try:
        nb = load_notebook(path)
    except NotebookError as exc:
        return NotebookFacts(sha256=sha256, error=str(exc), error_key=exc.key, error_params=dict(exc.params)), False
    low = disk_too_low(int(assignment.execution.max_disk_mb) * 2**20 + FREE_MARGIN)
    if low is not None:  # not stored: the same command grades it once there is room again
        free, needed = low
        return NotebookFacts(sha256=sha256, error=f"the disk is almost full ({free} MB free, {needed} MB needed)",
                             error_key="submission.disk_low", error_params={"free": free, "needed": needed}), False
    template = load_notebook(assignment.notebook_path)
    segments = split_sections(nb, assignment)
    answers = extract_answers(nb, template, segments)
    reserved = reserve.take(assignment.execution, context.sandbox, context.dataset_dir) if reserve is not None else None
    area_root = reserved.root if reserved is not None else new_workdir()
    prepare_inspection(assignment)
    try:
        record, area = execute_notebook(nb, segments, assignment, area_root, context.dataset_dir, context.sandbox,
                                        status=status, reserve=reserve, reserved=reserved,
                                        harvest_code=harvest_code())
        # started only if a model needs the notebook's own classes, after the kernel is gone
        definitions = definitions_source([c.source for c in nb.cells if c.cell_type == "code"])
        cifar10 = assignment.execution.cifar10
        hidden = dataset_folders(context.dataset_dir) + (cifar10.folders if cifar10 is not None else ())
        # a notebook that builds CIFAR10 finds the grader's small synthetic set there, never the instructor's
        judge = Judge(JudgeSetup(area_root / "judge", context.sandbox, assignment.execution, definitions,
                                 hidden=hidden, judge_files=judge_files(),
                                 cifar10=JUDGE_SET if "CIFAR10" in definitions else None))
        with judge:
            facts = inspect_execution(record, area.artifacts, segments, assignment, answers,
                                      template_answers(template), sha256, context.dataset_dir,
                                      attempted_sections(nb, template, segments), judge)
        facts = dataclasses.replace(facts, isolation=context.sandbox.level, cifar10=cifar10_kind(cifar10))
    finally:
        if reserve is not None:
            reserve.done()
        shutil.rmtree(area_root, ignore_errors=True)
    if store and facts.error is None:
        store.put_facts(facts, key, __version__)
    return facts, False
