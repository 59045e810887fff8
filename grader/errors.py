"""Errors raised at the edges of a run (bad spec, missing dataset, bad usage), and the exit codes.

Inside a run, failures are values (a ``SubmissionResult`` with status ``error``);
these exceptions are what the CLI turns into one clear line and a non-zero exit.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What every command returns to the shell."""

    OK = 0
    CHECKS_FAILED = 1
    USAGE = 2
    CONFIG = 3


class GraderError(Exception):
    """Base class of every error the grader raises on purpose.

    ``key`` and ``params`` name the catalogue message the CLI shows in the user's language;
    the English text stays the exception's ``str`` (logs, callers without a catalogue).
    """

    def __init__(self, text: str, key: str | None = None, **params: object) -> None:
        super().__init__(text)
        self.key, self.params = key, params

    def render(self, catalogue) -> str:
        """The message in ``catalogue``'s language, or the English text when it has no key."""
        if self.key and self.key in catalogue.messages:
            return catalogue.render(self.key, self.params)
        return str(self)


class SpecError(GraderError):
    """An ``assignment.toml`` is invalid; the message names the file, table and key."""


class DatasetMissingError(GraderError):
    """Fashion-MNIST could not be found."""


class UsageError(GraderError):
    """The command line asks for something that cannot be done."""


class NotebookError(GraderError):
    """A submission is not a readable, valid notebook."""


INTERRUPTED_EXIT = 130  # a shell's code for "ended by SIGINT"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run: ``done`` of ``total`` submissions have facts (``stored``: in the store)."""

    def __init__(self, done: int, total: int, stored: bool) -> None:
        super().__init__(f"interrupted: {done} of {total} notebooks done")
        self.done, self.total, self.stored = done, total, stored

    def message_key(self) -> str:
        return "cli.run.interrupted" if self.stored else "cli.run.interrupted_no_store"
