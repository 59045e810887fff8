"""Isolation modes, and what a confined kernel can and cannot do (real kernels)."""

from __future__ import annotations

import os
import socket
import threading
import time

import nbformat
import pytest

from grader.execute import execute_notebook
from grader.execute.sandbox import SandboxUnavailable, resolve_sandbox
from grader.notebook import split_sections
from grader.spec import Assignment, ExecutionSettings, SectionSpec

v4 = nbformat.v4


def test_strict_without_bubblewrap_is_an_error_that_says_what_to_install(monkeypatch):
    monkeypatch.setattr("grader.execute.sandbox.shutil.which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        resolve_sandbox("strict")
    degraded = resolve_sandbox("auto")
    assert degraded.level == "degraded" and "bubblewrap" in degraded.reason


def test_isolation_none_and_unknown_modes():
    assert resolve_sandbox("none").level == "none"
    with pytest.raises(Exception, match="unknown isolation mode"):
        resolve_sandbox("paranoid")


def test_bubblewrap_is_available_here():
    # `make install` installs Debian's bubblewrap; CI must exercise the strict mode
    assert resolve_sandbox("strict").level == "strict"


def _assignment() -> Assignment:
    sections = (SectionSpec("desafio-1", "D1", r"(?i)desafio\s*1"),)
    return Assignment("t", "t", "/tmp", "t.ipynb", "r.ipynb", sections, (), ExecutionSettings(cell_timeout=20))


def _run(cells: list[str], tmp_path, dataset_dir, mode: str):
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("## Desafio 1")] + [v4.new_code_cell(c) for c in cells])
    assignment = _assignment()
    record, _ = execute_notebook(nb, split_sections(nb, assignment), assignment, tmp_path / "k", dataset_dir,
                                 resolve_sandbox(mode))
    return {c.index: c for c in record.cells}


@pytest.mark.kernel
def test_strict_kernel_has_no_network_and_sees_no_private_files(tmp_path, dataset_dir):
    secret = tmp_path / "reference" / "solution.ipynb"
    secret.parent.mkdir()
    secret.write_text("the answers")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    arrived = []
    server.settimeout(15)

    def accept():
        try:
            arrived.append(server.accept())
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    cells = _run([
        f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5).sendall(b'leak')",
        f"open({str(secret)!r}).read()",
        "open('/tmp/escaped.txt', 'w').write('x')\nimport os\nprint(os.listdir('/tmp'))",
        "import keras\n(x, y), _ = keras.datasets.fashion_mnist.load_data()\nassert x.shape == (60000, 28, 28)",
    ], tmp_path, dataset_dir, "strict")
    thread.join(timeout=8)
    server.close()
    assert cells[1].ename in ("ConnectionRefusedError", "OSError", "TimeoutError") and not arrived
    assert cells[2].ename in ("FileNotFoundError", "PermissionError")
    assert cells[3].status == "ok" and not os.path.exists("/tmp/escaped.txt")  # its /tmp is private
    assert cells[4].status == "ok"  # the dataset is readable


@pytest.mark.kernel
@pytest.mark.parametrize("mode", ["strict", "none"])
def test_detached_children_do_not_outlive_the_notebook(tmp_path, dataset_dir, mode):
    marker = f"grader-test-{os.getpid()}-{mode}"
    code = (
        "import subprocess, os\n"
        f"subprocess.Popen(['bash', '-c', 'exec -a {marker} sleep 300'], start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execvp('bash', ['bash', '-c', 'exec -a {marker}-daemon sleep 300'])\n"
        "    os._exit(0)\n"
    )
    cells = _run([code, "import time; time.sleep(1)"], tmp_path, dataset_dir, mode)
    assert cells[1].status == "ok"
    time.sleep(0.5)
    alive = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p).find(marker) >= 0]
    assert not alive, [_cmdline(p) for p in alive]


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.kernel
def test_huge_output_is_capped_and_marked(tmp_path, dataset_dir):
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("## Desafio 1"),
                                v4.new_code_cell("for _ in range(60):\n    print('x' * 10**6)"),
                                v4.new_code_cell("done = True")])
    assignment = _assignment()
    from grader.execute.environment import prepare_area
    from grader.execute.runner import NotebookRunner

    area = prepare_area(tmp_path / "k", dataset_dir)
    runner = NotebookRunner(nb, split_sections(nb, assignment), assignment.execution, area,
                            sandbox=resolve_sandbox("auto"), dataset_dir=dataset_dir)
    kept = []
    original = runner._run_code

    def spy(client, source, timeout, index):
        cell = original(client, source, timeout, index)
        kept.append(sum(len(o.get("text", "")) for o in cell.outputs))
        return cell

    runner._run_code = spy
    record = runner.run()
    assert [c.status for c in record.cells] == ["ok", "ok"]
    assert max(kept) <= assignment.execution.max_output_kb * 1024 + 200


def test_private_tmp_is_mounted_before_the_binds_under_it(tmp_path):
    # a checkout (and its virtualenv) under /tmp must stay visible inside the sandbox
    from grader.execute.sandbox import Sandbox, bubblewrap_argv

    argv = bubblewrap_argv(Sandbox("strict", "/usr/bin/bwrap"), tmp_path / "k", tmp_path / "k" / "work", tmp_path)
    tmpfs = argv.index("--tmpfs")
    binds = [i for i, arg in enumerate(argv) if arg in ("--bind", "--ro-bind")]
    assert argv[tmpfs + 1] == "/tmp" and binds and all(i > tmpfs for i in binds)


def test_package_folders_outside_the_environment_are_shown_to_the_kernel_and_checkouts_are_not(tmp_path):
    """``pip install --user`` or a site folder a .pth adds: without it the kernel died before replying."""
    from grader.execute.sandbox import _python_binds

    user_site = tmp_path / ".local" / "lib" / "python3.11" / "site-packages"
    checkout = tmp_path / "course-repo"  # on PYTHONPATH, holding reference/
    for folder in (user_site, checkout / "reference"):
        folder.mkdir(parents=True)
    binds = _python_binds(["", str(checkout), str(user_site), str(tmp_path / "missing" / "site-packages")])
    assert str(user_site) in binds
    assert str(checkout) not in binds and "missing" not in " ".join(binds)
