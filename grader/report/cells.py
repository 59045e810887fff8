"""A failed cell as a student reads it: their code with the error line marked, their frames only.

Cells are numbered as Jupyter shows their position (1-based), with the execution count
(``In [7]``) when the kernel gave one; timeouts and dead kernels are said in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.facts import CellRecord, NotebookFacts
from grader.hints import hint_for
from grader.messages import Catalogue
from grader.report.common import strip_ansi
from grader.results import SubmissionResult

KERNEL_DIED = "KernelDied"
DISK_QUOTA = "DiskQuotaExceeded"
# a frame of the notebook's own code: "Cell In[7], line 3", older IPython "Input In [7]", "<ipython-input-7-..>"
_OWN_FRAME = re.compile(r"^(?:Cell In\s*\[(?P<a>\d+)\], line (?P<la>\d+)|Input In \[(?P<b>\d+)\].*?(?P<lb>\d+)?$|"
                        r"File <ipython-input-(?P<c>\d+)-)")
_FRAME = re.compile(r"^(?:Cell In\s*\[|Input In \[|File )")
_LIBRARY = re.compile(r"site-packages|dist-packages|/IPython/|/ipykernel/|/lib/python3[.\d]*/|<grader-|<frozen ")

@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    error: bool


@dataclass(frozen=True)
class CellErrorView:
    cell: int  # position in the notebook, 1-based, as Jupyter shows it
    count: int | None  # execution count (In [n]) when the kernel gave one
    section: str
    ename: str
    evalue: str
    traceback: str
    plain: str | None = None  # a timeout or a dead kernel, in words
    hint: str | None = None
    source: tuple[SourceLine, ...] = ()
    full_traceback: str = ""  # untrimmed, for the instructor's view


def own_frames(traceback: str, ename: str = "") -> tuple[str, int | None, int | None]:
    """``(trimmed traceback, execution count, line)``: frames of library code dropped.

    The first frame of the notebook's own code names the failing cell's execution count and
    the line that raised. Without any such frame the traceback is kept whole.
    """
    lines = traceback.strip("\n").splitlines()
    starts = [n for n, text in enumerate(lines) if _FRAME.match(text)]
    if not starts:
        return traceback, None, None
    tail = next((n for n in range(len(lines) - 1, starts[-1], -1)
                 if ename and (lines[n] == ename or lines[n].startswith(f"{ename}:"))), len(lines))
    kept, count, line = lines[:starts[0]], None, None
    for first, stop in zip(starts, starts[1:] + [tail]):
        found = _OWN_FRAME.match(lines[first])
        if found and count is None:
            count = int(found.group("a") or found.group("b") or found.group("c"))
            number = found.group("la") or found.group("lb")
            line = int(number) if number else None
        if found or not _LIBRARY.search(lines[first]):
            kept += lines[first:stop]
    if count is None:
        return traceback, None, None
    return "\n".join(kept + lines[tail:]).strip("\n"), count, line


def source_lines(source: str | None, line: int | None) -> tuple[SourceLine, ...]:
    if not source:
        return ()
    return tuple(SourceLine(n, text, n == line) for n, text in enumerate(source.splitlines(), start=1))


def _plain(status: str, ename: str, cat: Catalogue) -> str | None:
    if ename == KERNEL_DIED:
        return cat("report.cell_kernel_died_plain")
    if ename == DISK_QUOTA:
        return cat("report.cell_disk_quota_plain")
    if status == "timeout":
        return cat("report.cell_timeout_plain")
    return None


def cell_error_view(record: CellRecord | None, cell: int, section: str | None, ename: str, evalue: str | None,
                    cat: Catalogue) -> CellErrorView:
    """One failed cell; ``cell`` is the 0-based index in the notebook."""
    traceback = strip_ansi(record.traceback if record else None)
    evalue = strip_ansi(evalue)
    trimmed, count, line = own_frames(traceback, ename)
    hint = hint_for(ename, evalue, traceback)
    return CellErrorView(
        cell=cell + 1, count=count, section=section or "", ename=ename, evalue=evalue, traceback=trimmed,
        plain=_plain(record.status if record else "error", ename, cat), hint=hint.render(cat) if hint else None,
        source=source_lines(record.source if record else None, line), full_traceback=traceback,
    )


def cell_errors(result: SubmissionResult, facts: NotebookFacts | None, cat: Catalogue) -> list[CellErrorView]:
    """Cell errors of the summary, with code and tracebacks (and any missing errors) from the facts."""
    records = {c.index: c for c in facts.cells} if facts else {}
    views = {}
    for err in result.execution.cell_errors:
        views[err.cell] = cell_error_view(records.get(err.cell), err.cell, err.section, err.ename, err.evalue, cat)
    for record in records.values():
        if record.status in ("error", "timeout") and record.index not in views:
            views[record.index] = cell_error_view(record, record.index, record.section, record.ename or record.status,
                                                  record.evalue, cat)
    return [views[k] for k in sorted(views)]
