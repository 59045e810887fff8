"""The layers of DESIGN.md hold: the import-linter contracts in pyproject.toml, checked on this checkout's grader/.

Every import counts, a lazy one inside a function and one under ``TYPE_CHECKING`` too: an import
from a lower layer to a higher one, two modules or packages that import each other, a module no
layer names, or a framework imported by the checks, the scoring or the reports fails the test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import importlinter  # noqa: F401  the test extra's; without it the contracts would go unchecked

ROOT = Path(__file__).resolve().parents[1]
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def test_every_import_runs_down_the_layers_and_none_in_a_circle():
    # its own process, started in the checkout: lint-imports reads pyproject.toml and puts the folder first on the path
    done = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout, done.stdout
