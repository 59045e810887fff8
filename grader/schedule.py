"""Execute many notebooks on a backend: the local pool or a Dask cluster (:mod:`grader.backends`).

The grader's own work around the backend is here: stored facts are taken before any worker
starts, byte-identical notebooks are executed once, Ctrl-C says how many are done. How many
notebooks run at once by default, and the progress display on the terminal, too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from pathlib import Path
from typing import Callable

from grader import console
from grader.backends import Backend, Progress, Running
from grader.errors import RunInterrupted
from grader.facts import NotebookFacts
from grader.grade import GradingContext
from grader.messages import Catalogue
from grader.spec import ExecutionSettings
from grader.workdirs import remove_stale_workdirs

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------- how many at once
def machine_cores() -> int:
    """Cores this process may use (the affinity mask, which containers and taskset narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def machine_memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def default_jobs(settings: ExecutionSettings, cores: int | None = None, memory_bytes: int | None = None) -> int:
    """Notebooks run at once by default: cores ÷ the spec's threads, bounded by memory ÷ ``memory_mb``."""
    cores = cores or machine_cores()
    threads = settings.threads if isinstance(settings.threads, int) else 1
    jobs = max(1, cores // max(1, threads))
    memory = memory_bytes if memory_bytes is not None else machine_memory_bytes()
    if memory:
        jobs = min(jobs, max(1, memory // (int(settings.memory_mb) * 2**20)))
    return jobs


def resolve_threads(settings: ExecutionSettings, jobs: int, cores: int | None = None) -> ExecutionSettings:
    """``threads = "auto"``: the cores shared among the notebooks run at once (one notebook: every core)."""
    if settings.threads != "auto":
        return settings
    return dataclasses.replace(settings, threads=max(1, (cores or machine_cores()) // max(1, jobs)))


# ---------------------------------------------------------------------- progress
def display_name(key: str, catalogue: Catalogue) -> str:
    """A notebook as the terminal names it: its submission id, or "reference solution"."""
    return catalogue("cli.progress.reference") if key.startswith("\0") else key


def at_cell(running: Running, catalogue: Catalogue) -> str:
    """A running notebook's name, with the cell its kernel is at when the backend knows it."""
    name = display_name(running.key, catalogue)
    return catalogue("cli.progress.at_cell", name=name, cell=running.cell) if running.cell else name


class TerminalProgress:
    """The :class:`~grader.backends.Progress` of ``grader run``: a bar (or a line per notebook) on stderr."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._shown: console.RunProgress | None = None

    def started(self, total: int, running: Callable[[], list[Running]]) -> None:
        self._shown = console.RunProgress(total, self.catalogue,
                                          running=lambda: [at_cell(r, self.catalogue) for r in running()])

    def finished(self, key: str, facts: NotebookFacts, cached: bool) -> None:
        if self._shown is not None:
            self._shown.finished(display_name(key, self.catalogue), failed=facts.error is not None, cached=cached)

    def ended(self) -> None:
        if self._shown is not None:
            self._shown.close()
            self._shown = None


class Collected:
    """A :class:`~grader.backends.Progress` that keeps each notebook's facts, and tells ``then`` too."""

    def __init__(self, then: Progress | None = None) -> None:
        self.facts: dict[str, tuple[NotebookFacts, bool]] = {}
        self.then = then

    def started(self, total: int, running: Callable[[], list[Running]]) -> None:
        if self.then is not None:
            self.then.started(total, running)

    def finished(self, key: str, facts: NotebookFacts, cached: bool) -> None:
        self.facts[key] = (facts, cached)
        if self.then is not None:
            self.then.finished(key, facts, cached)

    def ended(self) -> None:
        if self.then is not None:
            self.then.ended()


# ---------------------------------------------------------------------- the notebooks of a run
def collect_all(paths: dict[str, Path], context: GradingContext, backend: Backend, catalogue: Catalogue, *,
                use_cache: bool = True, progress: Progress | None = None) -> dict[str, tuple[NotebookFacts, bool]]:
    """Facts of every notebook (the reference among them): from the store, else executed on ``backend``.

    The store is read here, before any worker starts: a run whose notebooks are all stored
    (a rubric change) starts no process at all. ``progress`` hears of each notebook executed
    (default: the terminal's display, in ``catalogue``'s language).
    """
    collected = Collected(progress if progress is not None else TerminalProgress(catalogue))
    remove_stale_workdirs()  # what a killed run left in the temporary directory
    total = sum(not key.startswith("\0") for key in paths)
    paths, copies = _distinct(paths)
    try:
        if use_cache:
            paths = _from_store(paths, context, collected.facts)
        if paths:
            backend.execute(paths, context, catalogue, collected)
    except KeyboardInterrupt:
        raise _interrupted(collected.facts, copies, total, context) from None
    finally:
        for key, same_as in copies.items():
            if same_as in collected.facts:
                collected.facts[key] = collected.facts[same_as]
    return collected.facts


def _interrupted(collected: dict[str, tuple[NotebookFacts, bool]], copies: dict[str, str], total: int,
                 context: GradingContext) -> RunInterrupted:
    """How many of the ``total`` submissions (not the reference) a run stopped by Ctrl-C has facts of."""
    done = {key for key, (facts, _) in collected.items() if facts.error is None}
    done |= {key for key, same_as in copies.items() if same_as in done}
    return RunInterrupted(done=sum(not key.startswith("\0") for key in done), total=total,
                          stored=context.store_path is not None)


def _from_store(paths: dict[str, Path], context: GradingContext,
                collected: dict[str, tuple[NotebookFacts, bool]]) -> dict[str, Path]:
    """Take the stored facts of each notebook that has them; return the notebooks still to execute."""
    from grader.version import __version__
    from grader.grade import execution_key
    from grader.notebook import sha256_file
    from grader.store import Store

    if context.store_path is None:
        return paths
    store = Store(context.store_path)
    facts_key = execution_key(context.assignment, context.sandbox.level)
    rest = {}
    for key, path in paths.items():
        try:
            stored = store.get_facts(sha256_file(path), facts_key, __version__)
        except OSError:  # unreadable: the worker reports it as that notebook's error
            stored = None
        except Exception as exc:  # noqa: BLE001 — stored facts this grader cannot read: executed again
            log.warning("ignoring the stored facts of %s: %s: %s", key.lstrip("\0"), type(exc).__name__, exc)
            stored = None
        if stored is None:
            rest[key] = path
        else:
            collected[key] = (stored, True)
    return rest


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _distinct(paths: dict[str, Path]) -> tuple[dict[str, Path], dict[str, str]]:
    """One path per distinct file content, and which key each duplicate copies.

    Byte-identical notebooks (untouched templates, the reference handed in as a sanity
    check) have identical facts: each content is executed once.
    """
    first: dict[str, str] = {}
    distinct: dict[str, Path] = {}
    copies: dict[str, str] = {}
    for key, path in paths.items():
        digest = _file_digest(path)
        if digest is not None and digest in first:
            copies[key] = first[digest]
            continue
        if digest is not None:
            first[digest] = key
        distinct[key] = path
    return distinct, copies


