"""The grader's side of the judge process (see :mod:`grader.execute.judge_side`).

Models the grader's own process cannot rebuild in safe mode (a Keras subclass with its
own ``call()``, a custom layer, a lambda activation, every PyTorch module) are judged in a
fresh process started after the student's kernel is gone, in the same sandbox but
without the dataset: it loads only the notebook's definitions and the exported weights.
What it says is checked by each inspector (``grader/inspect/<framework>/``): the
parameter count must equal the weight file's, which the grader reads itself, and
accuracy is computed here from the outputs, with labels the judge never saw. This
module is the process and its protocol; it knows no framework.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.cifar10 import SyntheticCifar10, write_synthetic_cifar10
from grader.execute.compat import kernel_source
from grader.execute.cgroups import create_kernel_cgroups
from grader.execute.reaper import LIVE, children, reap_new_children
from grader.execute.sandbox import Sandbox, bubblewrap_argv, launcher_argv
from grader.spec import ExecutionSettings

log = logging.getLogger(__name__)

JUDGE_SIDE = Path(__file__).resolve().parents[1] / "execute" / "judge_side.py"
# a request may take as long as a cell may (a forward pass over 10,000 images), start-up
# (importing TensorFlow) as long as a kernel's, but never less than these
MIN_REQUEST_TIMEOUT = 10.0
MIN_START_TIMEOUT = 60.0
MAX_FRAME = 64 * 1024 * 1024
MAX_ARRAY_BYTES = 512 * 1024 * 1024


MAX_UNIT_RESTARTS = 2  # new judges started after a unit hung or killed one
MAX_UNIT_BYTES = 64 * 1024  # of one unit's measurements, as JSON (they are stored in the facts)
MAX_ERROR_CHARS = 1000  # of what the judge says went wrong: the notebook's code may have written it


def bounded(text: Any, limit: int = MAX_ERROR_CHARS) -> str:
    """The judge's text, cut to ``limit`` characters (it is shown in the instructor's view only)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + " […]"


class JudgeFailed(Exception):
    """The judge process died, hung or answered something that is not the protocol."""


@dataclass
class JudgeSetup:
    """What a judge needs: a folder of its own, the sandbox, the limits and the notebook's definitions."""

    root: Path
    sandbox: Sandbox
    settings: ExecutionSettings
    definitions: str
    hidden: tuple[Path, ...] = ()  # dataset folders: empty inside the judge's sandbox
    # the inspectors' judge code: file name in the judge's folder (``judge_torch.py``) -> source file
    judge_files: dict[str, Path] = field(default_factory=dict)
    # a synthetic CIFAR-10 the grader writes into the judge's folder: what ``datasets.CIFAR10`` reads
    # there (the instructor's folder is never shown to a judge); None: CIFAR10 says none was provided
    cifar10: SyntheticCifar10 | None = None


class Judge:
    """One judge process per notebook, started on first use; a context manager."""

    def __init__(self, setup: JudgeSetup) -> None:
        self.setup = setup
        self.process: subprocess.Popen | None = None
        self.cgroups = None
        self.failed: str | None = None
        self.failed_statements: list[str] = []
        self.distrusted = False
        self.restarts = 0
        self._models = 0
        self._children_before: set[int] = set()

    # ------------------------------------------------------------------ process
    def _start(self) -> None:
        root = self.setup.root
        for folder in (root / "home", root / "tmp", root / "models"):
            folder.mkdir(parents=True, exist_ok=True)
        (root / "definitions.py").write_text(self.setup.definitions, encoding="utf-8")
        shutil.copyfile(JUDGE_SIDE, root / "judge_side.py")
        (root / "kernel_compat.py").write_text(kernel_source(), encoding="utf-8")  # the kernel's text
        for name, source in self.setup.judge_files.items():
            shutil.copyfile(source, root / name)
        settings = self.setup.settings
        self._children_before = children()
        self.cgroups = create_kernel_cgroups(int(settings.memory_mb) * 2**20, int(settings.max_processes))
        argv = launcher_argv(root, cpu_seconds=int(settings.cpu_seconds), memory_bytes=int(settings.memory_mb) * 2**20,
                             file_bytes=int(settings.max_file_mb) * 2**20, processes=int(settings.max_processes),
                             cgroups=list(self.cgroups.folders))
        if self.setup.sandbox.bubblewrap:
            argv += bubblewrap_argv(self.setup.sandbox, root, root, None, hide=self.setup.hidden,
                                    tmp_bytes=int(settings.max_disk_mb) * 2**20)
        argv += [sys.executable, str(root / "judge_side.py"), str(root / "definitions.py")]
        if settings.keras2_compat:
            argv.append("--keras2")
        threads = 1 if isinstance(settings.threads, str) else max(1, int(settings.threads))
        argv += [f"--seed={int(settings.seed)}", f"--threads={threads}"]
        if self.setup.cifar10 is not None:
            argv.append(f"--cifar10={write_synthetic_cifar10(root / 'cifar10', self.setup.cifar10).folder}")
        threads = str(settings.threads)
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV")}
        env.update(HOME=str(root / "home"), TMPDIR=str(root / "tmp"), MPLBACKEND="Agg", CUDA_VISIBLE_DEVICES="",
                   PYTHONHASHSEED=str(settings.seed), PYTHONDONTWRITEBYTECODE="1", TF_CPP_MIN_LOG_LEVEL="2",
                   OMP_NUM_THREADS=threads, TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads,
                   OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads, KERAS_HOME=str(root / "home" / "keras"))
        stderr = open(root / "judge-stderr.log", "wb")
        try:
            with LIVE.lock:  # no kernel's stop in another thread may see it before it is registered
                self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                                cwd=root, env=env, start_new_session=True)
                LIVE.add(self.process.pid)
        finally:
            stderr.close()
        hello = self._read(max(MIN_START_TIMEOUT, float(settings.startup_timeout)))
        if not hello.get("ok"):
            raise JudgeFailed(f"the notebook's definitions could not be loaded: {bounded(hello.get('error'))}")
        self.failed_statements = [bounded(s, 300) for s in hello.get("failed_statements", [])][:50]

    def close(self) -> None:
        process = self.process
        if process is not None:
            LIVE.discard(process.pid)
            try:
                self._write({"op": "quit"})  # while self.process is set: _write sends to it
            except (JudgeFailed, OSError):
                pass
        self.process = None
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
        if self.cgroups is not None:
            self.cgroups.destroy()
            self.cgroups = None
        reap_new_children(self._children_before)

    def __enter__(self) -> "Judge":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ frames
    def _write(self, header: dict, payload: bytes = b"") -> None:
        if self.process is None or self.process.stdin is None:
            raise JudgeFailed("the judge is not running")
        blob = json.dumps(header).encode("utf-8")
        try:
            self.process.stdin.write(struct.pack(">Q", len(blob)) + blob)
            if payload:
                self.process.stdin.write(payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise JudgeFailed(f"the judge process stopped ({exc})") from None

    def _read_exact(self, size: int, deadline: float) -> bytes:
        stream = self.process.stdout  # type: ignore[union-attr]
        chunks, left = [], size
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JudgeFailed("the judge did not answer in time (a loop in the notebook's class?)")
            ready, _, _ = select.select([stream], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(stream.fileno(), min(left, 1 << 20))
            if not chunk:
                code = self.process.poll() if self.process else None
                raise JudgeFailed(f"the judge process ended (exit status {code})")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        (size,) = struct.unpack(">Q", self._read_exact(8, deadline))
        if size > MAX_FRAME:
            raise JudgeFailed("the judge sent a frame that is too large")
        try:
            header = json.loads(self._read_exact(size, deadline).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise JudgeFailed("the judge sent something that is not the protocol") from None
        if not isinstance(header, dict):
            raise JudgeFailed("the judge sent something that is not the protocol")
        if header.get("nbytes"):
            nbytes = int(header["nbytes"])
            if nbytes > MAX_ARRAY_BYTES:
                raise JudgeFailed("the judge sent an array that is too large")
            header["payload"] = self._read_exact(nbytes, deadline)
        return header

    def _request(self, header: dict, payload: bytes = b"") -> dict[str, Any]:
        if self.failed:
            raise JudgeFailed(self.failed)
        try:
            if self.process is None:
                self._start()
            self._write(header, payload)
            return self._read(max(MIN_REQUEST_TIMEOUT, float(self.setup.settings.cell_timeout)))
        except JudgeFailed as exc:
            self.failed = str(exc)  # a dead or hung judge answers nothing more
            self.close()
            raise

    def distrust(self, reason: str) -> None:
        """Stop using a judge whose answers proved false: its channel may carry forged frames."""
        self.failed = reason
        self.distrusted = True
        self.close()

    # ------------------------------------------------------------------ requests
    def load(self, directory: Path, framework: str) -> tuple[str, dict[str, Any]]:
        """Copy one exported model into the judge's folder and rebuild it there: ``(key, description)``."""
        self._models += 1
        key = f"m{self._models}"
        target = self.setup.root / "models" / key
        target.mkdir(parents=True, exist_ok=True)
        # ``directory`` is a taken harvest (regular files the grader copied, of the names the
        # inspectors declare): the judge gets copies
        for path in sorted(directory.iterdir()):
            if path.is_file() and not path.is_symlink():
                shutil.copyfile(path, target / path.name)
        answer = self._request({"op": "load", "key": key, "dir": str(target), "framework": framework})
        if not answer.get("ok"):
            raise ValueError(f"the model could not be rebuilt with the notebook's classes: {bounded(answer.get('error'))}")
        return key, answer

    def predict(self, key: str, inputs: np.ndarray) -> np.ndarray | None:
        """The model's outputs for the grader's inputs, or None when the model failed on them."""
        array = np.ascontiguousarray(inputs, dtype=np.float32)
        try:
            answer = self._request({"op": "predict", "key": key, "shape": list(array.shape), "dtype": "float32",
                                    "nbytes": array.nbytes}, array.tobytes())
        except JudgeFailed as exc:
            log.info("judge predict failed: %s", exc)
            return None
        if not answer.get("ok") or "payload" not in answer:
            return None
        try:
            return np.frombuffer(answer["payload"], dtype=np.float32).reshape([int(d) for d in answer["shape"]])
        except (ValueError, TypeError):
            return None

    def unit(self, framework: str, unit: str, params: dict[str, Any]) -> dict[str, Any]:
        """A grader unit run on the notebook's definitions: ``{"ok": True, "result": {...}}`` or
        ``{"ok": False, "missing" | "error": text}``. What the judge says is bounded here (it is student code)."""
        try:
            answer = self._request({"op": "unit", "framework": framework, "unit": unit, "params": params})
        except JudgeFailed as exc:
            if not self.distrusted and self.restarts < MAX_UNIT_RESTARTS:
                self.restarts += 1  # a unit that hung or killed its judge: the next unit gets a new one
                self.failed = None
            return {"ok": False, "error": bounded(exc, 300), "judge_failed": True}
        try:
            size = len(json.dumps(answer))
        except (TypeError, ValueError, RecursionError):
            size = MAX_UNIT_BYTES + 1
        if size > MAX_UNIT_BYTES or answer.pop("payload", None) is not None:
            return {"ok": False, "error": "the judge's answer is too large"}
        if answer.get("ok") is True and isinstance(answer.get("result"), dict):
            return {"ok": True, "result": answer["result"]}
        if isinstance(answer.get("missing"), str):
            return {"ok": False, "missing": bounded(answer["missing"], 100)}
        return {"ok": False, "error": bounded(answer.get("error", "no answer"), 300)}
