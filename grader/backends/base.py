"""The backend interface: execute notebooks somewhere, tell a progress listener as each one finishes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol

from grader.facts import NotebookFacts
from grader.grade import GradingContext
from grader.messages import Catalogue, Phrase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Running:
    """A notebook executing now (by its key), and the cell its kernel is at when the backend can tell."""

    key: str
    cell: int | None = None


class Progress(Protocol):
    """What a backend tells while it executes: a batch starts, each notebook finishes, the batch ends.

    ``running`` (given when a batch starts) says which notebooks execute at that moment. A
    backend may run more than one batch in one :meth:`Backend.execute` (on Dask: the
    submissions on the cluster, then the reference here).
    """

    def started(self, total: int, running: Callable[[], list[Running]]) -> None: ...

    def finished(self, key: str, facts: NotebookFacts, cached: bool) -> None: ...

    def ended(self) -> None: ...


class Backend(Protocol):
    """Where notebooks execute (the local pool, a Dask cluster).

    Keys that start with ``"\\0"`` are the grader's own notebooks (the reference solution),
    never sent away from this machine.
    """

    def where(self) -> Phrase:
        """Where the notebooks run, as the run's first line says it."""
        ...

    def execute(self, paths: Mapping[str, Path], context: GradingContext, catalogue: Catalogue,
                progress: Progress) -> None:
        """Execute each notebook of ``paths``, telling ``progress`` its facts as it finishes.

        A notebook that fails (its worker died too) is facts with an error, in ``catalogue``'s
        language; only Ctrl-C (``KeyboardInterrupt``) ends the call early.
        """
        ...


def gather(keys: Mapping[object, str], completed: Iterable, progress: Progress, *, total: int,
           running: Callable[[], list[Running]], result: Callable[[object], tuple[dict, bool]],
           explain: Callable[[BaseException], str | None] = lambda exc: None) -> None:
    """Each future of ``completed`` as it completes: its notebook (``keys[future]``) finished, with its facts.

    ``result(future)``: its outcome, ``(facts as JSON, cached)``; one that raises is that
    notebook's error (``explain`` may say why in the run's language).
    """
    progress.started(total, running)
    try:
        for future in completed:
            key = keys[future]
            try:
                facts_json, cached = result(future)
                facts = NotebookFacts.from_json(facts_json)
            except Exception as exc:  # a lost worker fails its own notebook only, with the reason kept
                log.error("the grading worker failed on %s", key.lstrip("\0"), exc_info=True)
                reason = explain(exc) or f"the grading worker failed: {type(exc).__name__}: {exc}"
                facts, cached = NotebookFacts(sha256="0" * 64, error=reason), False
            progress.finished(key, facts, cached)
    finally:
        progress.ended()


class LastingBackend(Backend, Protocol):
    """A backend a server keeps as long as it runs: opened before it listens, warmed, closed when it stops.

    Several threads may call :meth:`Backend.execute` at once, a notebook each.
    """

    def open(self) -> None:
        """Reach where the notebooks run now (a usage error when it cannot be reached)."""
        ...

    def warm_up(self, context: GradingContext) -> None:
        """Get ready for ``context``'s next notebook (start its kernel ahead) where the backend can."""
        ...

    def close(self) -> None:
        """Stop: what executes now ends with an error, nothing starts any more."""
        ...
