"""Check kinds: one module per kind, registered by name (see :mod:`grader.checks.base`)."""

from grader.checks.base import Outcome, Registry, check_kind, default_registry

__all__ = ["Outcome", "Registry", "check_kind", "default_registry"]
