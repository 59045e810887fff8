"""Grading an assignment's example submissions once, and the checks every assignment shares.

The session fixture ``graded_examples`` (tests/conftest.py) runs :func:`grade_examples` once per
assignment; e2e modules assert with the helpers here; what differs per assignment stays in its own module.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tomllib
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from grader.run import run
from tests.conftest import KERNEL_JOBS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "contracts" / "results.schema.json").read_text())
REFERENCE_ID = "00-referencia"
CIFAR10_ASSIGNMENTS = ("pytorch-treinamento",)  # their kernels read CIFAR-10: a small synthetic set in tests


def synthetic_cifar10(base: Path) -> Path:
    """A grader-written CIFAR-10 of 20 training and 10 test images per class (the kernel reads it in seconds)."""
    from grader.cifar10 import SyntheticCifar10, write_synthetic_cifar10

    write_synthetic_cifar10(base / "cifar10", SyntheticCifar10(train_counts=(20,) * 10, test_counts=(10,) * 10))
    return base / "cifar10"


def expected_outcomes(assignment: str, folder: str = "examples") -> dict:
    path = ROOT / "assignments" / assignment / folder / "expected.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class GradedExamples:
    out: Path
    results: dict
    store: Path
    submissions: Path

    def __iter__(self):  # ``out, results, store, submissions = graded``
        return iter((self.out, self.results, self.store, self.submissions))

    def submission(self, sub_id: str) -> dict:
        return next(s for s in self.results["submissions"] if s["id"] == sub_id)


class ReferenceStores:
    """Per assignment, the first store of the session holding its reference's facts.

    A later run of the same assignment (the PyTorch examples, the real hand-ins) starts from a
    store holding those facts: its reference is taken from the store as ``grader run`` takes
    any stored notebook, instead of executed again. Each reference still runs once per session.
    """

    def __init__(self) -> None:
        self.stores: dict[str, Path] = {}

    def seed(self, assignment: str, store: Path) -> None:
        """Put the reference's stored facts, if an earlier run made them, into ``store``."""
        from grader.notebook import sha256_file
        from grader.store import Store

        earlier = self.stores.get(assignment)
        if earlier is None:
            return
        Store(store)  # its tables
        sha = sha256_file(ROOT / "reference" / f"{assignment}.ipynb")
        with closing(sqlite3.connect(earlier)) as source, closing(sqlite3.connect(store)) as target, target:
            for row in source.execute("SELECT * FROM facts WHERE sha256=?", (sha,)).fetchall():
                target.execute(f"INSERT OR REPLACE INTO facts VALUES ({', '.join('?' * len(row))})", row)

    def keep(self, assignment: str, store: Path) -> None:
        self.stores.setdefault(assignment, store)


def grade_examples(assignment: str, base: Path, dataset_dir: Path, folder: str = "examples",
                   references: ReferenceStores | None = None) -> GradedExamples:
    """Grade every example of ``folder`` in one run, plus the reference (as ``00-referencia``) for ``examples``.

    ``references``: the session's stores of reference facts (the reference is executed only
    if no earlier run of the session executed it).
    """
    submissions = base / "subs"
    submissions.mkdir()
    for notebook in (ROOT / "assignments" / assignment / folder).glob("*.ipynb"):
        shutil.copy(notebook, submissions / notebook.name)
    if folder == "examples":
        shutil.copy(ROOT / "reference" / f"{assignment}.ipynb", submissions / f"{REFERENCE_ID}.ipynb")
    store = base / "store.sqlite"
    if references is not None:
        references.seed(assignment, store)
    run(submissions=submissions, assignment=assignment, out=base / "out", jobs=KERNEL_JOBS, data_dir=dataset_dir,
        store=store,
        cifar10_dir=synthetic_cifar10(base) if assignment in CIFAR10_ASSIGNMENTS else None)
    if references is not None:
        references.keep(assignment, store)
    results = json.loads((base / "out" / "results.json").read_text(encoding="utf-8"))
    return GradedExamples(base / "out", results, store, submissions)


def assert_follows_the_contract(graded: GradedExamples, expected: dict, reference: bool = True) -> None:
    """``reference``: the reference was graded as a submission too (``examples``, not another folder)."""
    jsonschema.validate(graded.results, SCHEMA)
    assert {s["id"] for s in graded.results["submissions"]} == set(expected) | ({REFERENCE_ID} if reference else set())


def assert_reference_scores(graded: GradedExamples, maximum: float) -> None:
    reference = graded.submission(REFERENCE_ID)
    assert reference["status"] == "graded"
    assert reference["score"] == reference["max_score"] == maximum
    assert all(c["status"] == "passed" for c in reference["checks"]), [
        (c["id"], c["message"]) for c in reference["checks"] if c["status"] != "passed"]


def assert_documented_outcome(graded: GradedExamples, example: str, expected: dict) -> None:
    sub = graded.submission(example)
    actual = {c["id"]: c["status"] for c in sub["checks"]}
    mismatches = {k: (v, actual.get(k)) for k, v in expected["checks"].items() if actual.get(k) != v}
    messages = {c["id"]: c["message"] for c in sub["checks"] if c["id"] in mismatches}
    assert not mismatches, f"(expected, actual): {mismatches}\n{messages}"
    assert expected["min_score"] <= sub["score"] <= expected["max_score"]


def assert_template_scores_zero(graded: GradedExamples, template_id: str) -> None:
    template = graded.submission(template_id)
    assert template["status"] == "graded" and template["score"] == 0
    assert not template["execution"]["cell_errors"]


def assert_every_check_can_fail(spec: dict, expected: dict, template_id: str) -> None:
    """Each check fails (failed, partial or review) in some example other than the untouched template."""
    for check in spec["checks"]:
        outcomes = {e["checks"][check["id"]] for name, e in expected.items() if name != template_id}
        assert outcomes - {"passed"}, f"{check['id']} only fails in the untouched template"


def assert_checks_documented(spec: dict, expected: dict, total: float) -> None:
    ids = {c["id"] for c in spec["checks"]}
    for example, outcome in expected.items():
        assert set(outcome["checks"]) == ids, example
    assert sum(c["points"] for c in spec["checks"]) == total


# Texts too common to prove a leak (zero appears in every report).
COMMON_TEXTS = {"0.0", "-0.0", "0", "-0", "1", "1.0", "-1", "-1.0"}


def _numbers(value) -> list[float]:
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [float(value)]


def _texts(number: float) -> set[str]:
    """The ways a report could print ``number``: repr/str, %g, and with a decimal comma."""
    forms = {repr(number), f"{number:g}"}
    return forms | {f.replace(".", ",") for f in forms if "." in f}


def hidden_texts(spec: dict, common: set[str] = frozenset(COMMON_TEXTS)) -> list[str]:
    """Text forms of every number in the spec's hidden inputs that no visible input shares."""
    hidden, visible = set(), set()
    for check in spec["checks"]:
        if check["kind"] == "function":
            hidden |= {t for n in _numbers(check.get("hidden_inputs", [])) for t in _texts(n)}
            visible |= {t for n in _numbers(check["inputs"]) for t in _texts(n)}
    return sorted(hidden - visible - set(common))


def assert_no_hidden_input_in_reports(graded: GradedExamples, texts: list[str]) -> None:
    pages = [graded.out / s["report"] for s in graded.results["submissions"]] + [graded.out / "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        leaked = [t for t in texts if t in html]
        assert not leaked, f"{page.relative_to(graded.out)} shows hidden inputs: {leaked[:5]}"
