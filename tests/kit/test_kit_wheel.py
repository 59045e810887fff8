"""What a student installs: the wheel ``grader kit build`` writes beside ``kit.json``.

The wheel is installed into a fresh virtualenv with ``pip install --no-index``: nothing is
downloaded, so pip must find every requirement already installed. The fresh environment sees
this environment's packages (TensorFlow, nbclient, …) through a ``.pth`` line, as a student's
Python sees its own, but not this checkout: the grader it runs is the wheel's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.kit.build import README_NAME, build
from grader.kit.wheel import EXTRAS, JUPYTER_AS_INSTALLED, REQUIREMENTS, wheel_name, write_wheel
from tests.e2e.examples import ROOT

ASSIGNMENT = "relu-exercicios"
SOLUTIONS = ("reference/", "masters/", "examples/", "assignments/")


def _names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def _metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()


def test_the_wheel_holds_the_package_and_its_templates_and_no_solution(tmp_path):
    wheel = write_wheel(tmp_path)
    names = _names(wheel)
    assert wheel.name == wheel_name()
    assert "grader/cli.py" in names and "grader/messages/pt_BR.toml" in names
    assert "grader/templates/report.html.j2" in names
    assert not [n for n in names if n.endswith(".ipynb") or any(part in n for part in SOLUTIONS)]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert write_wheel(tmp_path).read_bytes() == wheel.read_bytes()  # the same bytes for the same package


def test_tensorflow_is_an_extra_not_a_requirement(tmp_path):
    """Colab has ``tensorflow``: a hard ``tensorflow-cpu`` would install a second copy beside it."""
    lines = _metadata(write_wheel(tmp_path)).splitlines()
    hard = [line for line in lines if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert hard and not [line for line in hard if "tensorflow" in line]
    assert 'Requires-Dist: tensorflow>=2.16,<2.22; extra == "tensorflow"' in lines


def test_the_wheels_requirements_are_the_projects_bounds_but_leave_an_installed_jupyter_alone():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    bounds = {r.split(">")[0].split("<")[0].lower().replace("_", "-"): r for r in project}
    for requirement in REQUIREMENTS:
        name = requirement.split(">")[0].lower().replace("_", "-")
        if requirement in JUPYTER_AS_INSTALLED.values():  # Colab's pinned ipykernel 6.17 / jupyter-client 6.1.12
            assert name in bounds and "<" not in requirement
            continue
        assert bounds[name].replace("_", "-").lower() == requirement.replace("_", "-").lower(), requirement
    assert JUPYTER_AS_INSTALLED["jupyter_client"] == "jupyter_client>=6.1.12"  # what nbclient 0.10 itself needs
    tensorflow = bounds["tensorflow-cpu"].removeprefix("tensorflow-cpu")
    assert EXTRAS["tensorflow"] == (f"tensorflow{tensorflow}",)


def _fresh_venv(folder: Path) -> Path:
    """A virtualenv without this checkout, seeing this environment's site-packages (not its .pth files)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "course-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def _student_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADER_KIT", "VIRTUAL_ENV")}


VERIFICAR = """
import json, sys
notebook = json.load(open(sys.argv[1], encoding="utf-8"))
for cell in notebook["cells"]:  # as a student runs the notebook's cells, errors and all
    if cell["cell_type"] == "code":
        try:
            exec("".join(cell["source"]), globals())
        except Exception:
            pass
import grader
from grader import verificar
resumo = verificar("exercicio-1")
print("FROM " + grader.__file__)
print("VERDICTS" + json.dumps({c.id: c.status for c in resumo.result.checks}))
"""


@pytest.mark.kernel
def test_a_student_installs_the_kit_with_one_pip_install_and_checks(graded_examples, dataset_dir, tmp_path):
    graded = graded_examples(ASSIGNMENT)
    kit = tmp_path / "aluno" / "kit"
    build(assignment=ASSIGNMENT, out=kit, store=graded.store, data_dir=dataset_dir)
    wheel = kit / wheel_name()
    assert sorted(p.name for p in kit.iterdir()) == sorted(
        [README_NAME, "kit.json", f"{ASSIGNMENT}.ipynb", wheel.name])
    assert f"pip install kit/{wheel.name}" in (kit / README_NAME).read_text(encoding="utf-8")

    python = _fresh_venv(tmp_path / "venv")
    env = _student_env()
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
                                "--no-cache-dir", str(wheel)], capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr  # every requirement already there

    student = kit.parent
    example = "07-contas-erradas"
    (student / f"{example}.ipynb").write_bytes((graded.submissions / f"{example}.ipynb").read_bytes())
    checked = subprocess.run([str(python.parent / "grader"), "check", f"{example}.ipynb", "--kit", "kit",
                              "--store", str(tmp_path / "store.sqlite"), "--data-dir", str(dataset_dir)],
                             cwd=student, capture_output=True, text=True, env=env, timeout=300)
    assert checked.returncode == 1, checked.stdout + checked.stderr  # 07 fails some visible checks
    assert "✘ [reprovado] ex1-saida: " in checked.stdout and "não a nota" in checked.stdout  # verdict, id, words
    reports = student / f"{example}-relatorio"
    assert (reports / example / "report.html").is_file()
    assert not list(reports.rglob("report-professor.html")) and not (reports / "index.html").exists()

    script = tmp_path / "verificar.py"
    script.write_text(VERIFICAR, encoding="utf-8")
    live = subprocess.run([str(python), str(script), f"{example}.ipynb"], cwd=student, capture_output=True,
                          text=True, env=env, timeout=300)
    assert live.returncode == 0, live.stdout + live.stderr
    assert f"FROM {tmp_path / 'venv'}" in live.stdout  # the wheel's grader, not this checkout's
    verdicts = json.loads(live.stdout.split("VERDICTS", 1)[1])
    assert verdicts["ex1-saida"] == "failed" and "não a nota" in live.stdout
