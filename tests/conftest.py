"""Shared fixtures: the dataset location and a tiny assignment for kernel tests."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "contracts" / "results.schema.json"
# The kernels each session run (examples, real hand-ins, the hostile corpus) executes at once:
# two on the machine's two cores; one per test process when pytest-xdist runs two processes,
# so that the machine never holds more kernels than cores and the other process fills the gaps
KERNEL_JOBS = max(1, 2 // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))


@pytest.fixture(scope="session")
def dataset_dir() -> Path:
    """Fashion-MNIST from Debian's package (or GRADER_DATA_DIR); kernel tests need it."""
    from grader.datasets import find_fashion_mnist
    from grader.errors import DatasetMissingError

    try:
        return find_fashion_mnist(os.environ.get("GRADER_DATA_DIR"))
    except DatasetMissingError as exc:
        pytest.fail(f"{exc} (run `make install`)")


@pytest.fixture(scope="session")
def reference_stores():
    """The session's stores of reference facts (:class:`tests.e2e.examples.ReferenceStores`)."""
    from tests.e2e.examples import ReferenceStores

    return ReferenceStores()


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory, dataset_dir, reference_stores):
    """``graded_examples("cnn-pratica")``: that assignment's examples and reference, graded once.

    Each assignment is executed at most once per test session (one out folder, one store);
    every test that needs its facts (e2e, reports, exports, kit, similarity) reads this run.
    Tests that write into the out folder copy it first.
    """
    from tests.e2e.examples import grade_examples

    runs = {}

    def get(assignment: str, folder: str = "examples"):
        """``folder``: another folder of examples of the assignment (``examples-pytorch``)."""
        if (assignment, folder) not in runs:
            name = assignment if folder == "examples" else f"{assignment}-{folder}"
            runs[assignment, folder] = grade_examples(assignment, tmp_path_factory.mktemp(name),
                                                      dataset_dir, folder, reference_stores)
        return runs[assignment, folder]

    return get


# ---------------------------------------------------------------------------------------------
# Two test processes (`make test` runs pytest-xdist with --dist loadgroup): a session fixture
# runs once per process, so every test that reads one grading run goes to the same process,
# and so does each module (its module fixtures start kernels or a browser once).
SESSION_RUN_MODULES = {"test_hostile.py": "hostile"}
# Modules whose session run starts from an assignment's reference facts (ReferenceStores: once per
# process): they go to the process of that assignment's examples, whose run executes the reference
REFERENCE_MODULES = {"test_real_handins.py": "cnn-pratica"}
# graded_examples("cnn-pratica") and graded_examples("cnn-pratica", "examples-pytorch")
_USES_EXAMPLES = re.compile(r"graded_examples\(\s*[\"']([\w-]+)[\"']\s*[,)]")


def _assignments_used(item) -> set[str]:
    """The assignments whose examples ``item`` reads through ``graded_examples``."""
    known = {p.name for p in (ROOT / "assignments").iterdir() if p.is_dir()}
    params = getattr(getattr(item, "callspec", None), "params", {})
    if params.get("assignment") in known:
        return {params["assignment"]}
    found = set(_USES_EXAMPLES.findall(Path(item.fspath).read_text(encoding="utf-8")))
    constant = getattr(item.module, "ASSIGNMENT", None)
    if constant is not None:
        found.add(Path(str(constant)).name)
    return found & known


def _examples_groups(items) -> dict[str, str]:
    """Assignment -> group: assignments read together by one module share a group."""
    group = {}
    for item in items:
        if "graded_examples" not in getattr(item, "fixturenames", ()):
            continue
        used = _assignments_used(item)
        merged = set(used).union(*(m for m in {group.get(a, frozenset()) for a in used}))
        members = frozenset(merged)
        for name in members:
            group[name] = members
    return {name: "examples-" + "+".join(sorted(members)) for name, members in group.items()}


# The longest groups first (measured: `make test` prints the slowest); each of two processes
# takes one of them, and the short ones fill in after (xdist runs with --no-loadscope-reorder).
LONGEST_FIRST = ("examples-cnn-pratica", "hostile", "examples-mlp-multiclasse-binaria",
                 "examples-relu-exercicios+treinamento-redes", "examples-pytorch-treinamento",
                 "tests/execute/test_runner.py", "tests/distributed/test_dask.py", "tests/test_resume.py",
                 "tests/hostile/test_harvest_time.py", "tests/execute/test_sandbox.py", "tests/execute/test_compat.py")


def _group(item) -> str:
    return next(m.args[0] for m in item.iter_markers("xdist_group"))


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    groups = _examples_groups(items)
    for item in items:
        module = Path(item.fspath).name
        name = SESSION_RUN_MODULES.get(module)
        if module in REFERENCE_MODULES:
            name = groups.get(REFERENCE_MODULES[module], "examples-" + REFERENCE_MODULES[module])
        elif name is None and "graded_examples" in getattr(item, "fixturenames", ()):
            used = _assignments_used(item)
            name = groups[next(iter(used))] if used else "examples"
        # the rest by module: a module's own fixtures (kernels, a browser) start once
        item.add_marker(pytest.mark.xdist_group(name or item.nodeid.split("::")[0]))
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_group(item), len(rank)))  # stable: the rest keeps its order
    _suffix_groups(config, items)


def _suffix_groups(config, items) -> None:
    """Give each test the ``@group`` suffix that ``--dist loadgroup`` schedules by.

    pytest-xdist (3.8) writes the suffix into ``item._nodeid``, which pytest 9 no longer reads
    (the node id is ``item._id``): every group was spread over both processes, and each process
    executed every grading run its tests read. A pytest-xdist that adds the suffix itself is left alone.
    """
    from _pytest.nodeid import coerce_node_id

    if not getattr(config.option, "loadgroup", False):  # set in the processes of --dist loadgroup
        return
    for item in items:
        names = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)
