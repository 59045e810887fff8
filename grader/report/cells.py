"""A failed cell as a student reads it: their code with the error line marked, their frames only.

Cells have one number, their position in the notebook (1-based): the traceback's frames of
the failing cell say "Célula 10, linha 3" instead of the grader's execution count
("Cell In[6]"), which is not the one the student saw; IPython's internal file names
("3723260683.py") are dropped. Timeouts and dead kernels are said in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.facts import CellRecord, NotebookFacts, plain_evalue
from grader.hints import hint_for
from grader.messages import Catalogue
from grader.report.common import strip_ansi
from grader.results import SubmissionResult

KERNEL_DIED = "KernelDied"
DISK_QUOTA = "DiskQuotaExceeded"
# a frame of the notebook's own code: "Cell In[7], line 3", older IPython "Input In [7]", "<ipython-input-7-..>",
# ipykernel's file of a cell "File /tmp/ipykernel_81/3723260683.py:3" or (a SyntaxError) '"…/3723260683.py", line 3'
_OWN_FRAME = re.compile(r"^(?:Cell In\s*\[(?P<a>\d+)\], line (?P<la>\d+)|Input In \[(?P<b>\d+)\].*?(?P<lb>\d+)?$|"
                        r"File <ipython-input-(?P<c>\d+)-|"
                        r"File \"?\S*/ipykernel_\d+/\d+\.py(?:\"?, line |:)(?P<ld>\d+))")
_FRAME = re.compile(r"^(?:Cell In\s*\[|Input In \[|File )")
# the part of an own frame's first line that names the cell: rewritten with the cell's position
_FRAME_NAME = re.compile(r"^(?P<indent>\s*)(?:Cell In\s*\[(?P<count>\d+)\], line (?P<line>\d+)|"
                         r"File \"?\S*/ipykernel_\d+/\d+\.py(?:\"?, line |:)(?P<line2>\d+))")
THIS_CELL = -1  # the count of a frame known only as the failing cell's (ipykernel's file, a SyntaxError)
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

    @property
    def marked(self) -> bool:
        """A line of the source is marked ► (the caption promises it only then)."""
        return any(line.error for line in self.source)


def own_frames(traceback: str, ename: str = "") -> tuple[str, int | None, int | None]:
    """``(trimmed traceback, execution count, line)``: frames of library code dropped.

    The first frame of the notebook's own code names the failing cell's execution count and
    the line that raised. Without any such frame the traceback is kept whole.
    """
    lines = traceback.strip("\n").splitlines()
    starts = [n for n, text in enumerate(lines) if _FRAME.match(text.lstrip())]  # a SyntaxError's is indented
    if not starts:
        return traceback, None, None
    tail = next((n for n in range(len(lines) - 1, starts[-1], -1)
                 if ename and (lines[n] == ename or lines[n].startswith(f"{ename}:"))), len(lines))
    kept, count, line = lines[:starts[0]], None, None
    for first, stop in zip(starts, starts[1:] + [tail]):
        found = _OWN_FRAME.match(lines[first].lstrip())
        if found and count is None:
            number = found.group("a") or found.group("b") or found.group("c")
            count = int(number) if number else THIS_CELL
            number = found.group("la") or found.group("lb") or found.group("ld")
            line = int(number) if number else None
        if found or not _LIBRARY.search(lines[first]):
            kept += lines[first:stop]
    if count is None:
        return traceback, None, None
    return "\n".join(kept + lines[tail:]).strip("\n"), count, line


def renumber_frames(traceback: str, count: int | None, cell: int, cat: Catalogue) -> str:
    """Own frames named by the cell's position ("Célula 10, linha 3"), never by an execution count
    or an internal file name; a frame of another cell (a function defined there) says so."""
    def rename(found: re.Match) -> str:
        line = found.group("line") or found.group("line2")
        this = found.group("count") is None or int(found.group("count")) == count
        name = cat("report.cell_frame", cell=str(cell), line=line) if this else cat("report.cell_frame_other", line=line)
        return found.group("indent") + name

    return "\n".join(_FRAME_NAME.sub(rename, text, count=1) for text in traceback.split("\n"))


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
    evalue = plain_evalue(strip_ansi(evalue))
    trimmed, count, line = own_frames(traceback, ename)
    hint = hint_for(ename, evalue, traceback)
    return CellErrorView(
        cell=cell + 1, count=count, section=section or "", ename=ename, evalue=evalue,
        traceback=renumber_frames(trimmed, count, cell + 1, cat) if count is not None else trimmed,
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
