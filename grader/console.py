"""All console output: messages, errors, progress and where logging goes (library code only logs).

Nothing here holds a language: every function that prints is handed the catalogue of the
run it prints for, so two runs in two languages can share a process. Logging (the grader's
own, Python warnings, absl, Dask, asyncio) never reaches the terminal unless ``--verbose``:
it goes to ``OUT/grader.log`` once a run knows OUT, and is held in memory until then. The
handlers that do this live on the root logger, found there by their class: no state here.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from tqdm import tqdm

from grader.messages import Catalogue

if TYPE_CHECKING:
    from grader.results import DecisionsInfo, RunResults

_BUFFERED = 10_000  # log records held before OUT is known
_TICK = 1.0  # seconds between refreshes of the progress display


def out(text: str = "") -> None:
    print(text, file=sys.stdout, flush=True)


def err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- logging
class _Counter(logging.Handler):
    """Counts warnings and errors, so the run summary can say how many are in the log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class _Held(logging.handlers.MemoryHandler):
    """Log records held until the run knows OUT."""


class _Terminal(logging.StreamHandler):
    """``--verbose``: log records on stderr."""


class _LogFile(logging.FileHandler):
    """OUT/grader.log."""


_OURS = (_Counter, _Held, _Terminal, _LogFile)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, _OURS)]


def _replace_handlers(*handlers: logging.Handler) -> None:
    """Take this module's earlier handlers off the root logger (not others', e.g. pytest's); add ``handlers``."""
    root = logging.getLogger()
    for old in _ours():
        root.removeHandler(old)
        if old not in handlers:
            old.close()
    for handler in handlers:
        root.addHandler(handler)


def setup_logging(verbose: bool) -> None:
    """Route every log record and Python warning away from the terminal (to it with ``verbose``)."""
    logging.getLogger().setLevel(logging.INFO)
    handlers: list[logging.Handler] = [
        _Held(_BUFFERED, flushLevel=logging.CRITICAL + 1, flushOnClose=False), _Counter()]
    if verbose:
        terminal = _Terminal(sys.stderr)
        terminal.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(terminal)
    _replace_handlers(*handlers)
    logging.captureWarnings(False)  # re-installed: whoever replaced ``showwarning`` since, warnings are logged
    logging.captureWarnings(True)


def log_to(path: Path) -> None:
    """From now on (and for what was held until now) log to ``path``."""
    handler = _LogFile(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    held = [h for h in _ours() if isinstance(h, _Held)]
    for buffer in held:
        buffer.setTarget(handler)
        buffer.flush()
        buffer.setTarget(None)
    _replace_handlers(*[h for h in _ours() if isinstance(h, (_Counter, _Terminal))], handler)


def logged_warnings() -> int:
    return sum(h.count for h in _ours() if isinstance(h, _Counter))


# ---------------------------------------------------------------------- progress
def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class RunProgress:
    """Notebooks done / running / failed, elapsed time and ETA while a run executes.

    A bar that refreshes itself on a terminal; one plain line per finished notebook otherwise
    (``grader run > log``). ``running`` is a callable giving the names running now; every
    word shown is ``catalogue``'s.
    """

    def __init__(self, total: int, catalogue: Catalogue, running: Callable[[], Iterable[str]] = lambda: (),
                 stream=None, terminal: bool | None = None) -> None:
        self.total, self.catalogue, self.running, self.stream = total, catalogue, running, stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.done = self.failed = 0
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._bar = None
        if self.terminal:
            self._bar = tqdm(total=total, desc=catalogue("cli.progress.label"), unit="nb", file=self.stream, leave=True,
                             dynamic_ncols=True)
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    def _status(self) -> str:
        names = list(self.running())
        status = self.catalogue("cli.progress.status", done=self.done, running=len(names), failed=self.failed)
        return status + (" · " + self.catalogue("cli.progress.running", names=", ".join(names)) if names else "")

    def _tick(self) -> None:
        while not self._stop.wait(_TICK):
            self._bar.set_postfix_str(self._status(), refresh=True)

    def eta(self) -> float | None:
        elapsed = time.monotonic() - self.started
        return elapsed / self.done * (self.total - self.done) if self.done else None

    def finished(self, name: str, *, failed: bool = False, cached: bool = False) -> None:
        self.done += 1
        self.failed += int(failed)
        if self._bar is not None:
            self._bar.set_postfix_str(self._status(), refresh=False)
            self._bar.update(1)
            return
        t = self.catalogue
        state = t("cli.progress.failed" if failed else ("cli.progress.cached" if cached else "cli.progress.ok"))
        print(t("cli.progress.line", done=self.done, total=self.total, name=name, state=state,
                elapsed=_clock(time.monotonic() - self.started), eta=_clock(self.eta())),
              file=self.stream, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._bar is not None:
            self._bar.set_postfix_str(self._status(), refresh=False)
            self._bar.close()


# ---------------------------------------------------------------------- summaries
def print_unapplied_decisions(info: "DecisionsInfo | None", cat: Catalogue) -> None:
    """Decisions the run could not apply: a warning, one line each (they stay in the file)."""
    if info is None or not info.unapplied:
        return
    out(cat("cli.run.decisions_unapplied", count=len(info.unapplied), file=info.file))
    for item in info.unapplied:
        why = cat(f"decision.unapplied.{item.reason}", points=cat.number(item.points or 0.0),
                  max_score=cat.number(item.max_score or 0.0))
        out(cat("cli.run.unapplied_line", submission=item.submission, target=item.target, why=why))


def print_run_summary(results: "RunResults", out_dir: Path, catalogue: Catalogue, log: Path | None = None) -> None:
    """The end of ``grader run``: counts, grader errors apart from the students', one line each."""
    subs = results.submissions
    errors = sum(1 for s in subs if s.status == "error")
    reviews = sum(s.count("review") for s in subs)
    grader_errors = sum(s.grader_errors for s in subs)
    out(catalogue("cli.run.done", count=len(subs), errors=errors, reviews=reviews))
    if grader_errors:
        out(catalogue("cli.run.grader_errors", count=grader_errors, index=str(out_dir / "index.html")))
    queued = sum(len(s.review) for s in subs)
    if queued:
        out(catalogue("cli.run.review_queue", count=queued, index=str(out_dir / "index.html")))
    if results.decisions and results.decisions.applied:
        out(catalogue("cli.run.decisions", applied=results.decisions.applied, file=results.decisions.file))
    print_unapplied_decisions(results.decisions, catalogue)
    if results.isolation:
        out(catalogue(f"cli.run.isolation_{results.isolation['level']}", reason=results.isolation.get("reason", "")))
    for failure in results.failures:  # steps for the whole run that failed; the other outputs were written
        out(catalogue("cli.run.step_failed", step=catalogue(f"step.{failure.step}"), error=failure.error))
    for sub in subs:
        notes = [f"{catalogue('cli.run.error')}: {sub.error}"] if sub.error else []
        if sub.grader_errors:
            notes.append(f"{catalogue('cli.run.grader_errors_note')}: {sub.grader_errors}")
        if sub.review:
            notes.append(f"{catalogue('cli.run.review_note')}: {len(sub.review)}")
        if sub.decisions:
            notes.append(f"{catalogue('cli.run.decided_note')}: {sub.decisions}")
        note = f"  ({'; '.join(notes)})" if notes else ""
        out(f"  {sub.id:<32} {catalogue.number(sub.score)} / {catalogue.number(sub.max_score)}{note}")
    if log is not None and logged_warnings():
        out(catalogue("cli.run.log_warnings", count=logged_warnings(), log=str(log)))
    out(catalogue("cli.run.outputs", index=str(out_dir / "index.html"), results=str(out_dir / "results.json"),
                  csv=str(out_dir / "grades.csv")))
