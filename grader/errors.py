"""Errors raised at the edges of a run (bad spec, missing dataset, bad usage).

Inside a run, failures are values (a ``SubmissionResult`` with status ``error``);
these exceptions are what the CLI turns into one clear line and a non-zero exit.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class of every error the grader raises on purpose."""


class SpecError(GraderError):
    """An ``assignment.toml`` is invalid; the message names the file, table and key."""


class DatasetMissingError(GraderError):
    """Fashion-MNIST could not be found."""


class UsageError(GraderError):
    """The command line asks for something that cannot be done."""


class NotebookError(GraderError):
    """A submission is not a readable, valid notebook."""
