"""Issue 4: the hostile corpus, graded in ONE run next to a correct control submission.

For each stem of ``corpus.py`` the statuses must match ``expected.toml``; and for the
run as a whole: it completes, results.json is valid, the control scores as when graded
alone, no connection reaches the test's server, no file escapes, no secret leaks into
the outputs, every report stays small, and nothing a notebook started is left running.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from grader.run import run
from tests.hostile.corpus import (CANARY_OTHER, CANARY_REFERENCE, CASES, CHILD_MARKER, DATASET_SEEN, ESCAPE_FILE,
                                  PWNED_NAME, build_corpus)
from tests.conftest import KERNEL_JOBS
from tests.mini_assignment import build_mini

pytestmark = pytest.mark.kernel

HERE = Path(__file__).resolve().parent
EXPECTED: dict[str, dict] = tomllib.loads((HERE / "expected.toml").read_text(encoding="utf-8"))
SCHEMA = HERE.parents[1] / "contracts" / "results.schema.json"
CELL_TIMEOUT = 5
TOTAL_TIMEOUT = 60  # the mini spec says 300; a hostile notebook must not take that long here
MAX_REPORT_BYTES = 5 * 2**20
DISK_QUOTA_MB = 256  # the kernel's writable space in this run (disco_cheio writes 512 MB)
# A correct model exported as the grader's harness exports it, on the host: the target of
# colheita_caminho_externo's forged manifest
PLANT = """
import json, sys
import keras
from keras import layers
m = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(32), layers.Dense(10, activation='softmax')])
with open(sys.argv[1] + '/model.json', 'w', encoding='utf-8') as f:
    json.dump(keras.saving.serialize_keras_object(m), f, default=str)
m.save_weights(sys.argv[1] + '/model.weights.h5')
"""


def plant_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    subprocess.run([sys.executable, "-c", PLANT, str(folder)], check=True, capture_output=True, timeout=300)
    return folder


# ---------------------------------------------------------------------- helpers
class Listener:
    """A TCP server on 127.0.0.1 (random port) that records every connection it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[tuple, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hostile-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            data = b""
            try:
                conn.settimeout(1)
                data = conn.recv(64)
            except OSError:
                pass
            finally:
                conn.close()
            self.connections.append((addr, data))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def marked_processes() -> list[tuple[int, str]]:
    """Live processes started by a corpus notebook (their environment has CHILD_MARKER=1)."""
    marker = f"{CHILD_MARKER}=1".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile, or a zombie
            continue
        if command:
            found.append((int(entry.name), command))
    return found


def _wait_for_no_marked(seconds: float) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    left = marked_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = marked_processes()
    return left


def _run(**kwargs):
    if "isolation" in inspect.signature(run).parameters:
        kwargs["isolation"] = os.environ.get("GRADER_TEST_ISOLATION", "auto")
    return run(**kwargs)


def _check_view(result: dict) -> dict:
    return {c["id"]: (c["status"], c["score"], c["message"]) for c in result["checks"]}


@dataclass
class HostileRun:
    root: Path
    out: Path
    corpus: Path
    reference: Path
    seconds: float = 0.0
    error: BaseException | None = None
    results: dict = field(default_factory=dict)
    alone: dict | None = None
    alone_error: BaseException | None = None
    connections: list = field(default_factory=list)
    leftovers: list = field(default_factory=list)
    escaped: list = field(default_factory=list)

    def submission(self, stem: str) -> dict:
        if self.error is not None:
            pytest.fail(f"the run itself failed: {type(self.error).__name__}: {self.error}")
        found = [s for s in self.results.get("submissions", []) if s["id"] == stem]
        assert found, f"{stem} is missing from results.json"
        return found[0]


# ---------------------------------------------------------------------- the one run
@pytest.fixture(scope="session")
def hostile(tmp_path_factory, dataset_dir) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile")
    assignments, _ = build_mini(root)
    spec = assignments / "mini" / "assignment.toml"
    text = spec.read_text(encoding="utf-8")
    assert "total_timeout = 300" in text
    spec.write_text(text.replace("total_timeout = 300", f"total_timeout = {TOTAL_TIMEOUT}\nmax_disk_mb = {DISK_QUOTA_MB}"),
                    encoding="utf-8")
    reference = root / "reference" / "mini.ipynb"
    nb = nbformat.read(str(reference), as_version=4)
    nb.metadata["grader_test_canary"] = CANARY_REFERENCE  # le_referencia tries to carry it out
    nbformat.write(nb, str(reference))

    corpus = root / "corpus"
    listener = Listener()
    build_corpus(corpus, port=listener.port,
                 secret_paths={"reference": reference, "other_student": corpus / "controle.ipynb"},
                 planted_model=plant_model(root / "planted" / "model1"), dataset_dir=dataset_dir)
    escapes = [ESCAPE_FILE, reference.parent / PWNED_NAME]
    for path in escapes:
        path.unlink(missing_ok=True)
    state = HostileRun(root, root / "out", corpus, reference)
    before = {pid for pid, _ in marked_processes()}
    started = time.monotonic()
    try:
        summary = _run(submissions=corpus, assignment="mini", assignments_dir=assignments, out=state.out,
                       jobs=KERNEL_JOBS, no_store=True, data_dir=dataset_dir, cell_timeout=CELL_TIMEOUT)
        state.results = json.loads((state.out / "results.json").read_text(encoding="utf-8"))
        assert summary.results is not None
    except BaseException as exc:  # recorded: the run-wide tests below still say what they can
        state.error = exc
    state.seconds = time.monotonic() - started
    # give a reaper a moment; whatever is still there after that was left behind
    state.leftovers = [p for p in _wait_for_no_marked(5) if p[0] not in before]
    state.escaped = [str(p) for p in escapes if p.exists()]
    state.connections = list(listener.connections)

    alone = root / "alone"
    alone.mkdir()
    shutil.copy(corpus / "controle.ipynb", alone / "controle.ipynb")
    try:
        _run(submissions=alone, assignment="mini", assignments_dir=assignments, out=root / "out-alone", jobs=1,
             no_store=True, data_dir=dataset_dir, cell_timeout=CELL_TIMEOUT)
        state.alone = json.loads((root / "out-alone" / "results.json").read_text(encoding="utf-8"))
    except BaseException as exc:
        state.alone_error = exc
    print(f"\nhostile corpus: {len(CASES)} submissions graded in {state.seconds:.0f} s")
    yield state

    listener.close()
    for pid, _ in marked_processes():  # started by this test's notebooks: end them
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for path in escapes:
        path.unlink(missing_ok=True)


# ---------------------------------------------------------------------- the corpus itself
def test_every_case_has_an_expectation():
    assert len(CASES) >= 34
    assert set(CASES) == set(EXPECTED)
    for stem, expected in EXPECTED.items():
        assert expected["status"] in ("graded", "error"), stem
        assert set(expected["checks"]) == {"executa", "params", "resposta"}, stem
        assert expected.get("description"), stem


# ---------------------------------------------------------------------- per submission
@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_outcome_matches_expectation(hostile, stem):
    expected = EXPECTED[stem]
    result = hostile.submission(stem)
    statuses = {c["id"]: c["status"] for c in result["checks"]}
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in expected["checks"].items()}
    wrong = {k: statuses.get(k) for k in wanted if statuses.get(k) not in wanted[k]}
    assert result["status"] == expected["status"] and not wrong, (
        f"{stem}: status {result['status']} (expected {expected['status']}), "
        f"checks {statuses} (expected {expected['checks']}); error: {result.get('error')}; "
        f"execution: {result.get('execution')}; messages: {[c['message'] for c in result['checks']]}")
    execution = result["execution"]
    for flag in ("kernel_died", "timed_out"):
        if flag in expected:
            assert execution.get(flag, False) == expected[flag], f"{stem}: {flag} = {execution.get(flag)}"


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_report_is_small_and_says_what_happened(hostile, stem):
    result = hostile.submission(stem)
    assert result.get("report"), f"{stem} has no report"
    report = hostile.out / result["report"]
    size = report.stat().st_size
    assert size < MAX_REPORT_BYTES, f"{stem}: report.html is {size / 2**20:.1f} MB"
    html = report.read_text(encoding="utf-8", errors="replace")
    missing = [w for w in EXPECTED[stem].get("report_contains", []) if w not in html]
    assert not missing, f"{stem}: the report does not mention {missing}"
    if result["status"] == "error":
        assert result.get("error"), f"{stem}: an error result must say why"


# ---------------------------------------------------------------------- the run as a whole
def test_the_run_completes(hostile):
    # how long it took is printed by the fixture, never asserted: timing is for benchmarks
    assert hostile.error is None, f"{type(hostile.error).__name__}: {hostile.error}"


def test_results_json_validates_against_the_schema(hostile):
    jsonschema = pytest.importorskip("jsonschema")
    assert hostile.error is None, f"{type(hostile.error).__name__}: {hostile.error}"
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(hostile.results, schema)
    assert {s["id"] for s in hostile.results["submissions"]} == set(CASES)


def test_control_scores_full_marks_as_when_graded_alone(hostile):
    together = hostile.submission("controle")
    assert together["status"] == "graded" and together["score"] == together["max_score"] == 3.0
    assert hostile.alone_error is None, f"{type(hostile.alone_error).__name__}: {hostile.alone_error}"
    alone = hostile.alone["submissions"][0]
    assert (alone["status"], alone["score"]) == (together["status"], together["score"])
    assert _check_view(alone) == _check_view(together)


def test_no_connection_reached_the_test_server(hostile):
    assert hostile.connections == [], f"connections from notebooks: {hostile.connections}"


def test_no_file_was_written_outside_the_sandbox(hostile):
    assert hostile.escaped == [], f"files written by notebooks: {hostile.escaped}"


def test_nothing_a_notebook_started_is_left_running(hostile):
    assert hostile.leftovers == [], f"still running after the run: {hostile.leftovers}"


def test_secrets_read_by_notebooks_reach_no_output(hostile):
    assert hostile.error is None, f"{type(hostile.error).__name__}: {hostile.error}"
    leaks = []
    for path in sorted(hostile.out.rglob("*")):
        if not path.is_file() or path.relative_to(hostile.out).parts[0] == "controle":
            continue  # the control's own files may carry its own metadata
        text = path.read_text(encoding="utf-8", errors="replace")
        leaks += [f"{path.relative_to(hostile.out)}: {c}" for c in (CANARY_REFERENCE, CANARY_OTHER) if c in text]
    assert not leaks, f"secrets in the outputs: {leaks}"


def test_the_judge_sees_no_dataset_file(hostile):
    assert hostile.error is None, f"{type(hostile.error).__name__}: {hostile.error}"
    if (hostile.results.get("isolation") or {}).get("level") != "strict":
        pytest.skip("only bubblewrap hides the dataset from the judge (degraded isolation: see README)")
    seen = [str(p.relative_to(hostile.out)) for p in sorted(hostile.out.rglob("*"))
            if p.is_file() and DATASET_SEEN in p.read_text(encoding="utf-8", errors="replace")]
    assert hostile.submission("juiz_le_dataset")["status"] == "graded"
    assert not seen, f"the judge found a dataset file: {seen}"


def test_tampering_is_flagged_for_the_teacher(hostile):
    for stem in ("colheita_caminho_externo", "colheita_repetida", "colheita_profunda", "colheita_link_referencia"):
        result = hostile.submission(stem)
        reasons = [item["reason"] for item in result.get("review", [])]
        assert "tampering" in reasons, f"{stem}: review items {result.get('review')}"
        params = next(c for c in result["checks"] if c["id"] == "params")
        assert "alterada" in params["message"], f"{stem}: {params['message']}"
