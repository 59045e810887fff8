"""End to end: a teacher decides from the command line; the next ``grader run`` executes nothing.

One run pair on the tiny assignment of ``tests/mini_assignment.py``; the terminal output
of both runs is checked for what must not reach it (kernel banners, library warnings).
"""

from __future__ import annotations

import json

import pytest

from grader.cli import main
from tests.mini_assignment import build_mini

pytestmark = pytest.mark.kernel
LEAKS = ("ipython kernel", "To connect another client", "oneDNN", "tensorflow", "TensorFlow", "absl", "Traceback", "WARNING", "UserWarning", "I0000", "E0000")


def test_decisions_apply_on_a_run_that_executes_nothing(tmp_path, dataset_dir, capfd):
    assignments, subs = build_mini(tmp_path)
    out, store = tmp_path / "out", tmp_path / "store.sqlite"
    argv = ["--assignments-dir", str(assignments), "run", str(subs), "--out", str(out), "--assignment", "mini",
            "--store", str(store), "--data-dir", str(dataset_dir), "--jobs", "2"]
    assert main(argv) == 0
    first = capfd.readouterr()
    for leak in LEAKS:
        assert leak not in first.out + first.err, (leak, first.err)
    assert not any(s["cached"] for s in json.loads((out / "results.json").read_text(encoding="utf-8"))["submissions"])

    assert main(["review", str(out), "--decide", "bia", "resposta", "--points", "1",
                 "--comment", "Conta certa para o modelo dela.", "--by", "prof"]) == 0
    assert main(["review", str(out), "--decide", "ana", "params", "--points", "0.5",
                 "--comment", "Meio ponto: copiou o modelo da aula.", "--by", "prof"]) == 0
    capfd.readouterr()

    assert main(argv) == 0
    second = capfd.readouterr()
    for leak in LEAKS:
        assert leak not in second.out + second.err, (leak, second.err)
    assert "2 decisão(ões) do professor aplicada(s)" in second.out
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert all(s["cached"] for s in results["submissions"])  # nothing executed again
    checks = {(s["id"], c["id"]): c for s in results["submissions"] for c in s["checks"]}
    assert checks["bia", "resposta"]["score"] == 1 and checks["bia", "resposta"]["decision"]["by"] == "prof"
    assert checks["ana", "params"]["score"] == 0.5 and checks["ana", "params"]["status"] == "partial"
    assert "Conta certa para o modelo dela." in (out / "bia" / "report.html").read_text(encoding="utf-8")
    assert "Meio ponto: copiou o modelo da aula." in (out / "ana" / "report.html").read_text(encoding="utf-8")
