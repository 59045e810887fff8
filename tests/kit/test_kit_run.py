"""``grader check --kit`` and ``verificar()`` executing real notebooks (relu-exercicios: NumPy, seconds each).

The verdicts are compared with the session's full ``grader run`` of the same examples.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from grader.checks.base import default_registry
from grader.cli import main
from grader.kit.check import check_with_kit
from grader.kit.files import load_kit
from tests.kit.kit_cases import ROOT, build_kit
from tests.kit.test_kit import visible_verdicts_of_full_run

pytestmark = pytest.mark.kernel
ASSIGNMENT = "relu-exercicios"
LIVE_KINDS = frozenset(name for name in default_registry().names() if default_registry().get(name).live)


def test_check_with_the_kit_gives_the_full_runs_visible_verdicts(graded_examples, dataset_dir, tmp_path):
    graded = graded_examples(ASSIGNMENT)
    build_kit(ASSIGNMENT, graded.out, tmp_path / "kit")
    kit = load_kit(tmp_path / "kit")
    for submission in graded.results["submissions"]:
        notebook = tmp_path / "aluno" / f"{submission['id']}.ipynb"
        notebook.parent.mkdir(exist_ok=True)
        shutil.copy(graded.submissions / f"{submission['id']}.ipynb", notebook)
        summary = check_with_kit(notebook=notebook, kit=tmp_path / "kit", data_dir=dataset_dir,
                                 store=tmp_path / "store.sqlite")
        assert {c.id: c.status for c in summary.result.checks} == visible_verdicts_of_full_run(submission, kit)
        assert summary.report.is_file()
        assert not (summary.report.parent / "report-professor.html").exists()  # a student's folder
        assert not (summary.report.parent.parent / "index.html").exists()
        failing = any(c.status in ("failed", "partial") for c in summary.result.checks)
        assert int(summary.exit_code) == (1 if failing else 0), submission["id"]


def test_check_names_a_folder_that_is_not_a_kit(tmp_path, capsys):
    notebook = tmp_path / "a.ipynb"
    shutil.copy(ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", notebook)
    assert main(["check", str(notebook), "--kit", str(tmp_path)]) == 2
    assert "kit.json" in capsys.readouterr().err


def test_kit_build_refuses_the_assignment_folder(capsys):
    assert main(["kit", "build", "-a", ASSIGNMENT, "-o", str(ROOT / "assignments" / ASSIGNMENT)]) == 2
    assert "pasta da tarefa" in capsys.readouterr().err


def test_verificar_in_a_running_kernel_judges_the_live_objects(graded_examples, tmp_path):
    graded = graded_examples(ASSIGNMENT)
    build_kit(ASSIGNMENT, graded.out, tmp_path / "kit")
    example = "07-contas-erradas"
    nb = nbformat.read(graded.submissions / f"{example}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "from grader import verificar\n"
        "resumos = [verificar(s) for s in ('exercicio-1', 'exercicio-2', 'exercicio-3', 'exercicio-4')]\n"
        "import json\n"
        "print('VERDICTS' + json.dumps({c.id: c.status for r in resumos for c in r.result.checks}))"))
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # ./kit beside the notebook
    outputs = nb.cells[-1].outputs
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    shown = "".join(o.get("data", {}).get("text/html", "") for o in outputs if o.get("output_type") == "display_data")
    import json

    got = json.loads(printed.split("VERDICTS", 1)[1])
    full = visible_verdicts_of_full_run(graded.submission(example), load_kit(tmp_path / "kit"))
    kinds = {c["id"]: c["kind"] for c in graded.submission(example)["checks"]}
    live = {k: v for k, v in got.items() if kinds[k] in LIVE_KINDS}
    assert live and live == {k: full[k] for k in live}
    assert {v for k, v in got.items() if kinds[k] not in LIVE_KINDS} == {"skipped"}
    assert "não a nota" in shown and "<div class='grader-verificar'>" in shown


KERAS_CELLS = (
    "import keras\nfrom keras import layers\n"
    "def criar_mlp(oculta=128):\n"
    "    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(oculta, activation='relu'),\n"
    "        layers.Dropout(0.2), layers.Dense(64, activation='relu'), layers.Dropout(0.2),\n"
    "        layers.Dense(10, activation='softmax')])\n"
    "modelo = criar_mlp()\n"
    "modelo.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
    "from grader import verificar\nimport json\ncerto = verificar('parte-1')\n"
    "modelo = criar_mlp(100)\nmodelo.compile(optimizer='sgd', loss='sparse_categorical_crossentropy')\n"
    "errado = verificar('parte-1')\n"
    "print('VERDICTS' + json.dumps([{c.id: c.status for c in r.result.checks} for r in (certo, errado)]))",
)


def test_verificar_judges_a_live_keras_model(graded_examples, tmp_path):
    build_kit("treinamento-redes", graded_examples("treinamento-redes").out, tmp_path / "kit")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in KERAS_CELLS])
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    import json

    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    right, wrong = json.loads(printed.split("VERDICTS", 1)[1])
    assert right == {"p1-executa": "skipped", "p1-estrutura": "passed", "p1-params": "passed",
                     "p1-compilacao": "passed", "p1-acuracia": "skipped"}
    assert wrong["p1-estrutura"] == "partial" and wrong["p1-params"] == "failed"
    assert wrong["p1-compilacao"] == "failed"
