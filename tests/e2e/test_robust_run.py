"""One real run where a student's text, a student's file name and a dying worker each used to cost the
whole class its grades: a lone surrogate in a written answer (the similarity step raised after every
notebook had run), notebooks named after the run's own outputs (``results.json.ipynb`` collided with
OUT/results.json), and a worker process killed (SIGKILL) while it held a notebook (the pool broke and
every pending notebook failed). relu-exercicios is NumPy only: the run takes seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import jsonschema
import nbformat
import pytest

from grader.run import run
from tests.e2e.examples import SCHEMA

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[2]
CORRECT = ROOT / "assignments" / "relu-exercicios" / "examples" / "01-correta.ipynb"
# long enough to be fingerprinted and compared as text (similarity's text_min_run is 150 characters)
ANSWER = ("**Sua resposta aqui:** no dying ReLU os neurônios ficam com pré-ativação negativa, a saída fica "
          "sempre zero e o gradiente também \ud800, então os pesos param de mudar e o neurônio não aprende "
          "mais; com uma taxa de aprendizado menor ou a Leaky ReLU isso acontece menos.")


def _student(path: Path, answer: str | None, comment: str) -> None:
    """01-correta with ``answer`` for exercise 4 (written the way Jupyter writes it: escaped) and its own comment."""
    nb = nbformat.read(CORRECT, as_version=4)
    for cell in nb.cells:
        if answer and "resposta:ex4" in cell.metadata.get("tags", []):
            cell.source = answer
    nb.cells.insert(1, nbformat.v4.new_code_cell(f"# {comment}"))  # each notebook distinct: none is deduplicated
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


class KillOnce(threading.Thread):
    """Kills, with SIGKILL, the worker process that takes ``name`` first (its pid from the run's progress files)."""

    def __init__(self, out: Path, name: str) -> None:
        super().__init__(daemon=True)
        self.out, self.name, self.killed, self.stop = out, name, None, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.killed is None:
            for marker in self.out.glob("grader-progress-*/*.started"):
                try:
                    started = json.loads(marker.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if Path(started["path"]).name == self.name:
                    os.kill(started["pid"], signal.SIGKILL)
                    self.killed = started["pid"]
                    return
            time.sleep(0.02)


def test_a_class_with_hostile_text_names_and_a_killed_worker_gets_every_grade(tmp_path, dataset_dir):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    _student(subs / "ana.ipynb", None, "ana")
    _student(subs / "bia.ipynb", None, "bia")
    _student(subs / "results.json.ipynb", ANSWER, "resultados")
    _student(subs / "grader.log.ipynb", ANSWER, "registro")
    assert "\\ud800" in (subs / "grader.log.ipynb").read_text(encoding="utf-8")
    out.mkdir()
    killer = KillOnce(out, "bia.ipynb")
    killer.start()
    try:
        summary = run(submissions=subs, assignment="relu-exercicios", out=out, jobs=2, data_dir=dataset_dir,
                      no_store=True)
    finally:
        killer.stop.set()
    assert killer.killed is not None, "bia's worker was never seen"

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, SCHEMA)
    by_id = {s["id"]: s for s in results["submissions"]}
    assert set(by_id) == {"ana", "bia", "results.json-submission", "grader.log-submission"}
    assert {r["path"]: r["id"] for r in results["discovery"]["renamed"]} == {
        "results.json.ipynb": "results.json-submission", "grader.log.ipynb": "grader.log-submission"}
    # bia, whose worker was killed, was graded again like ana
    assert all(s["status"] == "graded" and not s.get("failures") for s in by_id.values()), \
        {k: s.get("error") for k, s in by_id.items()}
    assert by_id["bia"]["score"] == by_id["ana"]["score"] == by_id["ana"]["max_score"]
    assert not results.get("failures")
    # every output of the run is a file of its own, next to each student's folder
    assert (out / "grader.log").is_file() and (out / "grades.csv").is_file() and (out / "index.html").is_file()
    for sub_id in by_id:
        assert (out / sub_id / "report.html").is_file() and (out / sub_id / "facts.json").is_file()
    # the two answers with the surrogate were compared (a replacement character), not the end of the run
    similarity = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    assert set(similarity["compared"]) == set(by_id)
    assert "\ufffd" in (out / "grader.log-submission" / "report-professor.html").read_text(encoding="utf-8")
    assert summary.results.submissions and not list(out.glob("grader-progress-*"))
