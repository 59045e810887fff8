"""Execute one notebook cell by cell in a fresh kernel, harvesting after each segment.

nbclient runs the cells (configured, not rewritten): ``allow_errors`` so execution
goes on after a failing cell, per-cell timeouts set from the remaining notebook
budget. A kernel that dies or hangs is replaced; the cells that had succeeded are
replayed, the fatal cell is skipped and execution goes on with the next one.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grader.execute.compat import kernel_source
from grader.execute.environment import KernelArea
from grader.execute.kernel import TIMEOUT_ENAME, Kernel, connect_kernel, start_kernel, stop_kernel
from grader.execute.kernel_side import COMMAND_MARK
from grader.execute.reaper import become_subreaper
from grader.execute.quota import DiskWatch
from grader.execute.sandbox import Sandbox
from grader.execute.take import CALLS, Budget, HarvestLimits, Taken, take_harvest
from grader.execute.warm import KernelReserve, Reserved
from grader.facts import CellRecord
from grader.notebook import Segment
from grader.serial import JsonData
from grader.spec import ExecutionSettings, skip_rule_for

log = logging.getLogger(__name__)

KERNEL_SIDE = Path(__file__).with_name("kernel_side.py")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MAX_TRACEBACK_CHARS = 8000
MAX_SOURCE_CHARS = 4000  # code kept of a failing cell, shown to the student next to the error
PROBE_TIMEOUT = 10
HARVEST_TIMEOUT = 300
# harvests count toward the notebook's deadline; past it, all of a notebook's harvests
# together get at most this long (a harvest that is interrupted exports nothing more)
HARVEST_GRACE = 30.0
MAX_RESTARTS = 1  # the issue: a kernel that dies again after one recovery ends the submission
KERNEL_DIED = "KernelDied"
DISK_QUOTA = "DiskQuotaExceeded"


@dataclass(frozen=True)
class HarvestRecord(JsonData):
    """Where one segment's exports are, or why there are none."""

    segment: str
    section: str | None
    directory: str
    error: str | None = None
    # the rule of the take step the harvest broke (a link, a foreign path, a size): its
    # models are not read, the section's model checks fail as tampering
    tampering: str | None = None


@dataclass(frozen=True)
class ExecutionRecord(JsonData):
    """What happened when the notebook ran; inputs to :mod:`grader.inspect`."""

    cells: tuple[CellRecord, ...]
    harvests: tuple[HarvestRecord, ...]
    seconds: float
    call_errors: dict[str, str] = field(default_factory=dict)  # function check id -> why no results
    timed_out: bool = False
    kernel_died: bool = False
    restarts: int = 0
    error: str | None = None
    # the kernel's execution count of each student cell -> the cell's index in the notebook
    cell_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class KernelCode:
    """One inspector's part of the prelude: execution knows no framework, the inspectors say.

    ``sources``: module texts, each defining ``install(harness, side)``, run after the harness;
    ``names``: a regular expression, a code cell it matches uses the framework; such a
    notebook gets ``imports`` imported at the end of the prelude, so their seconds do not count
    against its first cell's timeout (any other notebook never pays for them); ``files``: the
    names its harvest writes in a model folder (the take step refuses any other), among them
    the ``descriptions`` (JSON, capped like a manifest).
    """

    framework: str
    sources: tuple[str, ...]
    names: str = ""
    imports: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()


def imports_ahead(nb, code: tuple[KernelCode, ...]) -> tuple[str, ...]:
    """The modules the prelude imports for ``nb``: those of each framework some code cell of it names."""
    cells = [str(cell.get("source", "")) for cell in nb.get("cells", []) if cell.get("cell_type") == "code"]
    return tuple(module for part in code if part.names and any(re.search(part.names, text) for text in cells)
                 for module in part.imports)


def _harvest_message(taken: Taken, error: tuple[str, str, str] | None) -> str | None:
    """Why a harvest exported nothing usable, or None."""
    if taken.error_text is not None:
        return taken.error_text
    if error:
        return f"{error[0]}: {error[1]}"
    if not taken.found:
        return "the harvest did not run (the notebook may have disabled IPython's cell events)"
    if taken.manifest is None and taken.tampering is None:
        return "the harvest wrote no manifest"
    return None


class KernelLost(Exception):
    """The kernel died or stopped answering; it must be replaced."""


def _error_of(outputs) -> tuple[str, str, str] | None:
    for out in outputs:
        if out.get("output_type") == "error":
            trace = ANSI.sub("", "\n".join(out.get("traceback", [])))[-MAX_TRACEBACK_CHARS:]
            return out.get("ename", "Error"), str(out.get("evalue", ""))[:2000], trace
    return None


@dataclass
class _State:
    records: dict[int, CellRecord] = field(default_factory=dict)
    harvests: list[HarvestRecord] = field(default_factory=list)
    call_errors: dict[str, str] = field(default_factory=dict)
    timed_out: bool = False
    kernel_died: bool = False
    restarts: int = 0
    cell_counts: dict[str, int] = field(default_factory=dict)
    harvest_grace: float = HARVEST_GRACE


class NotebookRunner:
    """Runs the cells of ``nb`` in a kernel living in ``area``."""

    def __init__(self, nb, segments: list[Segment], settings: ExecutionSettings, area: KernelArea,
                 value_names: dict[str, list[str]] | None = None, *, sandbox: Sandbox, dataset_dir: Path,
                 calls: list[dict] | None = None, models: bool = True, harvest_code: tuple[KernelCode, ...] = (),
                 status: Path | None = None,
                 reserve: KernelReserve | None = None, reserved: Reserved | None = None) -> None:
        self.nb = nb
        # nbclient stores each executed cell back at nb.cells[index]: the grader's own code
        # (prelude, harvest, probes) runs in a scratch slot appended to a private copy.
        self.client_nb = nbformat.from_dict(nb)
        self.client_nb.cells.append(nbformat.v4.new_code_cell(""))
        self.scratch = len(self.client_nb.cells) - 1
        self.segments = segments
        self.settings = settings
        self.area = area
        self.value_names = value_names or {}
        self.state = _State()
        self.deadline = 0.0
        self.sandbox = sandbox
        self.dataset_dir = dataset_dir
        self.kernel: Kernel | None = None
        self.calls = calls or []
        # the inspectors' own harvest code (grader/inspect/<framework>/kernel_side.py): each module's
        # ``install(harness, side)`` hooks it into the harness. ``models`` False: the harness exports
        # no model, so none is sent and the kernel imports no framework for it
        self.harvest_code = tuple(harvest_code) if models else ()
        self.status = status  # where the cell being executed is written, for the progress display
        self.reserve = reserve  # this worker's kernels started ahead: the next notebook's is launched here
        self.reserved = reserved  # the kernel launched ahead for this notebook (in ``area``), if any
        self.budget = Budget(HarvestLimits.for_params(
            settings.max_export_params, model_files=[name for part in self.harvest_code for name in part.files],
            description_files=[name for part in self.harvest_code for name in part.descriptions]))
        self.watch = DiskWatch(area.kernel, int(settings.max_disk_mb) * 2**20,
                               lambda: self.kernel.pid if self.kernel is not None else None)

    # ------------------------------------------------------------------ kernel
    def _new_client(self) -> NotebookClient:
        reserved, self.reserved = self.reserved, None  # used for the first kernel only, never after a restart
        if reserved is not None:
            try:
                self.kernel = connect_kernel(reserved.launched, self.client_nb, self.settings, self._remember_reply)
                return self.kernel.client
            except Exception as exc:  # noqa: BLE001 - connect_kernel stopped it; a fresh kernel is started
                log.info("the kernel started ahead did not answer (%s: %s); starting a fresh one",
                         type(exc).__name__, exc)
        self.kernel = start_kernel(self.client_nb, self.area, self.settings, self.sandbox, self.dataset_dir,
                                   self._remember_reply)
        return self.kernel.client

    def _launch_next(self) -> None:
        """While this notebook runs, start the kernel of the worker's next notebook (first kernel only)."""
        if self.reserve is not None and not self.state.restarts:
            self.reserve.launch_next(self.settings, self.sandbox, self.dataset_dir)

    def _shutdown(self, client: NotebookClient | None) -> None:
        stop_kernel(self.kernel)
        self.kernel = None

    def _remember_reply(self, cell, cell_index, execute_reply) -> None:
        self._last_reply = execute_reply

    def _timed_out(self) -> bool:
        reply = getattr(self, "_last_reply", None) or {}
        return reply.get("content", {}).get("ename") == TIMEOUT_ENAME

    def _run_code(self, client: NotebookClient, source: str, timeout: float, index: int | None):
        cell = nbformat.v4.new_code_cell(source)
        client.timeout = max(1, int(timeout))
        client.start_cell()
        self._last_reply = None
        try:
            client.execute_cell(cell, self.scratch if index is None else index, store_history=index is not None)
        except (DeadKernelError, CellTimeoutError) as exc:
            raise KernelLost("died" if isinstance(exc, DeadKernelError) else "hung") from exc
        return cell

    def _execute(self, client: NotebookClient, source: str, timeout: float, index: int | None = None):
        """Run one piece of code; return its error triple or None. Raises KernelLost."""
        cell = self._run_code(client, source, timeout, index)
        if self._timed_out():
            # interrupted; a kernel that ignores the interrupt is still busy and must go
            self._run_code(client, "pass", PROBE_TIMEOUT, None)
            if self._timed_out():
                raise KernelLost("hung")
            return ("TimeoutError", f"cell exceeded {int(timeout)} s", "")
        return _error_of(cell.outputs) or self._error_of_reply()

    def _error_of_reply(self) -> tuple[str, str, str] | None:
        """The execute_reply's own error: it stands even when the notebook hid the traceback."""
        content = (getattr(self, "_last_reply", None) or {}).get("content", {})
        if content.get("status") != "error":
            return None
        trace = ANSI.sub("", "\n".join(content.get("traceback") or []))[-MAX_TRACEBACK_CHARS:]
        return str(content.get("ename", "Error")), str(content.get("evalue", ""))[:2000], trace

    def _prelude(self, client: NotebookClient) -> None:
        # the compatibility layer first (Colab stand-in, pip, magics, Keras 2 names), then the
        # harness, then each inspector's harvest code. A framework's code waits for the notebook's
        # import of it (the layer's ``after_import``), after the layer's patches, so it captures
        # the framework's functions as patched. A notebook whose code names a framework has it
        # imported here (``imports_ahead``), so the import's seconds do not count against its
        # first cell's timeout; any other notebook (NumPy only, one that fails early) never loads
        # it, unless it imports it after all.
        compat = kernel_source()  # the parts of grader/execute/compat/ as one text
        side = KERNEL_SIDE.read_text(encoding="utf-8")
        settings = self.settings
        cifar10 = settings.cifar10.folder if settings.cifar10 is not None else None
        threads = 1 if isinstance(settings.threads, str) else max(1, int(settings.threads))
        source = (
            "_compat = {'__name__': 'grader_kernel_compat'}\n"
            f"exec(compile({compat!r}, '<grader-compat>', 'exec'), _compat)\n"
            f"_events = _compat['install_compat']({bool(settings.keras2_compat)!r}, "
            f"cifar10={cifar10!r}, seed={int(settings.seed)!r}, threads={threads!r}, "
            f"fashion_mnist={str(self.area.keras_home / 'datasets' / 'fashion-mnist')!r})\n"
            "_side = {'__name__': 'grader_kernel_side'}\n"
            f"exec(compile({side!r}, '<grader-prelude>', 'exec'), _side)\n"
            f"_harness = _side['install']({self.settings.seed}, {self.settings.max_export_params}, "
            f"compat_events=_events, after_import=_compat['after_import'])\n"
        )
        for part in self.harvest_code:
            for number, code in enumerate(part.sources):
                source += (f"_more = {{'__name__': 'grader_kernel_{part.framework}_{number}'}}\n"
                           f"exec(compile({code!r}, '<grader-prelude>', 'exec'), _more)\n"
                           "_more['install'](_harness, _side)\n")
        for module in imports_ahead(self.nb, self.harvest_code):
            source += f"import {module}\n"
        code = f"exec(compile({source!r}, '<grader-prelude>', 'exec'), {{'__name__': 'grader_prelude'}})"
        error = self._execute(client, code, self.settings.startup_timeout)
        if error:
            raise RuntimeError(f"prelude failed: {error[0]}: {error[1]}")

    def _harvest_timeout(self) -> float | None:
        """Seconds the next harvest may take: what is left of the notebook's budget, then the grace."""
        remaining = self.deadline - time.monotonic() if self.deadline else HARVEST_TIMEOUT
        if remaining >= PROBE_TIMEOUT:
            return min(HARVEST_TIMEOUT, remaining)
        grace = self.state.harvest_grace
        return min(PROBE_TIMEOUT, grace) if grace >= 1 else None

    def _timed_command(self, client: NotebookClient, command: dict, timeout: float):
        """Run a grader command cell; time spent past the deadline comes out of the harvest grace."""
        started = time.monotonic()
        try:
            return self._execute(client, COMMAND_MARK + json.dumps(command), timeout)
        finally:
            if self.deadline:
                late = time.monotonic() - max(started, self.deadline)
                self.state.harvest_grace -= max(0.0, late)

    def _harvest(self, client: NotebookClient, segment: Segment, export: bool = True) -> None:
        """Trigger the kernel-side harvest, then take its files out of the kernel's reach."""
        command = {"segment": segment.key, "out_dir": str(self.area.exports), "export": export,
                   "values": sorted(self.value_names.get(segment.section or "", []))}
        written = self.area.exports / segment.key
        timeout = self._harvest_timeout()
        if timeout is None:
            if export:
                self.state.harvests.append(HarvestRecord(segment.key, segment.section, segment.key,
                                                         "no time was left to export this section's models"))
            return
        error = self._timed_command(client, command, timeout)
        if not export:
            shutil.rmtree(written, ignore_errors=True)
            return
        taken = take_harvest(written, self.area.artifacts / segment.key, self.budget)
        shutil.rmtree(written, ignore_errors=True)  # never follows a link
        self.state.harvests.append(HarvestRecord(segment.key, segment.section, segment.key,
                                                 _harvest_message(taken, error), taken.tampering))

    def _call_functions(self, client: NotebookClient) -> None:
        """After the last cell: call the student's functions on the grader's inputs.

        Hidden inputs reach the kernel only now, inside a comment-only cell; the results
        are moved out of the kernel's reach like the harvests.
        """
        for number, call in enumerate(self.calls):
            segment = f"__call{number}"
            command = {"op": "call", "segment": segment, "out_dir": str(self.area.exports), **call}
            budget = float(call["timeout"]) * max(1, len(call["inputs"])) + PROBE_TIMEOUT
            try:
                error = self._timed_command(client, command, budget)
            except KernelLost as lost:
                for rest in self.calls[number:]:
                    self.state.call_errors[rest["id"]] = f"the kernel {lost} while calling {call['function']}"
                raise
            written, target = self.area.exports / segment, self.area.artifacts / "__calls__" / call["id"]
            taken = take_harvest(written, target, self.budget, expect=CALLS)
            shutil.rmtree(written, ignore_errors=True)
            if taken.tampering:
                self.state.call_errors[call["id"]] = f"the exported results were altered: {taken.tampering}"
            elif taken.manifest is None:
                self.state.call_errors[call["id"]] = f"{error[0]}: {error[1]}" if error else "the call did not run"

    # ------------------------------------------------------------------ cells
    def _code_cells(self) -> list[tuple[Segment, int]]:
        return [(seg, i) for seg in self.segments for i in seg.cells if self.nb.cells[i].cell_type == "code"]

    def _excluded(self, index: int) -> str | None:
        """Why the spec's ``[[execution.skip]]`` keeps cell ``index`` from running, or None."""
        cell = self.nb.cells[index]
        rule = skip_rule_for(cell.source, cell.get("metadata", {}).get("tags", []), self.settings.skip)
        if rule is None:
            return None
        return rule.reason or f"[[execution.skip]] {rule.tag or rule.pattern}"

    def _run_cell(self, client: NotebookClient, segment: Segment, index: int) -> None:
        reason = self._excluded(index)
        if reason is not None:  # never sent to the kernel: no time spent on it
            self.state.records[index] = CellRecord(index, segment.section, "excluded", reason=reason)
            return
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.state.timed_out = True
            self.state.records[index] = CellRecord(index, segment.section, "skipped")
            return
        started = time.monotonic()
        self._report_cell(index)
        source = self.nb.cells[index].source
        try:
            error = self._execute(client, source, min(self.settings.cell_timeout, remaining), index)
            if self.watch.check_now():  # this cell wrote past the quota: it is charged, not the next one
                raise KernelLost("died")
        except KernelLost as lost:
            self.state.kernel_died = True
            self.state.timed_out = self.state.timed_out or str(lost) == "hung"
            hung = str(lost) == "hung"
            ename, evalue = (("TimeoutError", "the kernel ignored the interrupt and was killed") if hung
                             else (KERNEL_DIED, "the kernel died while running this cell"))
            if self.watch.exceeded:
                ename, evalue = DISK_QUOTA, f"the notebook wrote more than {self.settings.max_disk_mb} MB to its folders"
            self.state.records[index] = CellRecord(
                index, segment.section, "timeout" if hung else "error", ename, evalue,
                None, time.monotonic() - started, source=source[:MAX_SOURCE_CHARS])
            raise
        seconds = time.monotonic() - started
        count = ((getattr(self, "_last_reply", None) or {}).get("content") or {}).get("execution_count")
        if isinstance(count, int):
            self.state.cell_counts[str(count)] = index
        if error is None:
            self.state.records[index] = CellRecord(index, segment.section, "ok", seconds=seconds)
        else:
            status = "timeout" if error[0] == "TimeoutError" and not error[2] else "error"
            if status == "timeout":
                self.state.timed_out = True
                if remaining < self.settings.cell_timeout:  # it ran into the notebook's budget
                    self.deadline = time.monotonic()
            # a failing cell keeps its code, so the report can show the student's line
            self.state.records[index] = CellRecord(index, segment.section, status, *error, seconds,
                                                   source=source[:MAX_SOURCE_CHARS])
        self.client_nb.cells[index].outputs = []  # outputs are not kept: only errors matter

    def _report_cell(self, index: int) -> None:
        """Say which cell (1-based, as Jupyter shows it) is running; never fails the notebook."""
        if self.status is None:
            return
        try:
            partial = self.status.with_suffix(".tmp")
            partial.write_text(json.dumps({"cell": index + 1}), encoding="utf-8")
            partial.replace(self.status)
        except OSError:
            pass

    def _replay(self, client: NotebookClient, upto: int) -> None:
        """Re-run the cells that had succeeded, then mark existing models as already seen."""
        for seg, index in self._code_cells():
            if index >= upto:
                break
            if self.state.records.get(index, CellRecord(index, None, "")).status == "ok":
                remaining = self.deadline - time.monotonic()
                if remaining <= 0 or self._execute(client, self.nb.cells[index].source,
                                                   min(self.settings.cell_timeout, remaining)) is not None:
                    break
        for seg in self.segments:
            self._harvest(client, seg, export=False)

    def run(self) -> ExecutionRecord:
        """Execute every code cell; never raises for problems caused by the notebook."""
        started = time.monotonic()
        self.deadline = 0.0
        become_subreaper()  # orphans of the kernel come back to this process, to be killed
        steps = self._code_cells()
        position, client = 0, None
        self.watch.start()
        try:
            while position <= len(steps):
                try:
                    client = self._new_client()
                    self._prelude(client)
                    self._launch_next()
                    if not self.deadline:  # the budget is for the notebook, not kernel start-up
                        self.deadline = time.monotonic() + self.settings.total_timeout
                    if position > 0:
                        self._replay(client, steps[position - 1][1] + 1)
                    position = self._run_from(client, steps, position)
                    self._call_functions(client)
                    break
                except KernelLost:
                    if position > len(steps):  # lost while calling functions: every cell has run
                        break
                    self.state.restarts += 1
                    self._shutdown(client)
                    client = None
                    if self.watch.exceeded:  # the replay needs room: what the cells wrote goes
                        self.watch.clear(self.area.cwd, self.area.home, self.area.tmp, self.area.exports)
                    position = self._position_after_failure(steps)
                    if self.state.restarts > MAX_RESTARTS:
                        break
        except RuntimeError as exc:  # the kernel could not start or the prelude failed
            return self._record(started, error=str(exc))
        finally:
            self.watch.stop()
            self._shutdown(client)
            if self.reserved is not None:  # launched ahead for this notebook but never connected
                self.reserved.stop()
                self.reserved = None
        return self._record(started)

    def _run_from(self, client: NotebookClient, steps, position: int) -> int:
        if 0 < position < len(steps) and steps[position - 1][0].key != steps[position][0].key:
            self._harvest(client, steps[position - 1][0])  # its last cell was the fatal one
        for number in range(position, len(steps)):
            seg, index = steps[number]
            self._run_cell(client, seg, index)
            last_of_segment = number + 1 == len(steps) or steps[number + 1][0].key != seg.key
            if last_of_segment:
                self._harvest(client, seg)
        for seg in self.segments:  # sections without code cells still get (empty) facts
            if seg.section and not any(s.key == seg.key for s, _ in steps):
                self.state.harvests.append(HarvestRecord(seg.key, seg.section, seg.key, None))
        return len(steps) + 1

    def _position_after_failure(self, steps) -> int:
        failed = max(self.state.records) if self.state.records else -1
        for number, (_, index) in enumerate(steps):
            if index > failed:
                return number
        return len(steps)

    def _record(self, started: float, error: str | None = None) -> ExecutionRecord:
        for seg, index in self._code_cells():  # cells never reached (kernel lost for good)
            self.state.records.setdefault(index, CellRecord(index, seg.section, "not_run"))
        cells = tuple(self.state.records[i] for i in sorted(self.state.records))
        return ExecutionRecord(cells, tuple(self.state.harvests), round(time.monotonic() - started, 3),
                               dict(self.state.call_errors), self.state.timed_out, self.state.kernel_died,
                               self.state.restarts, error, dict(self.state.cell_counts))
