"""``grader kit build``: write the kit an instructor publishes to students.

The reference is executed (or read from the store) like in ``grader run``; the kit gets
the handout, the visible checks and the reference facts they need, sealed
(:mod:`grader.kit.contents`), the grader's wheel students install (:mod:`grader.kit.wheel`)
and a short LEIA-ME saying how. Never the reference notebook.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader import console
from grader.messages import Catalogue, load_catalogue
from grader.version import __version__
from grader.assignments import load as load_assignment
from grader.errors import ExitCode, UsageError
from grader.kit.contents import KitContents, build_contents
from grader.kit.files import is_kit, write_kit
from grader.sealed import new_key
from grader.kit.wheel import write_wheel
from grader.backends import LocalPool
from grader.grading import REFERENCE_KEY
from grader.run import make_context
from grader.schedule import collect_all


README_NAME = "LEIA-ME.txt"  # how a student installs the wheel and checks a notebook


@dataclass(frozen=True)
class KitSummary:
    contents: KitContents
    out: Path

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK


def _check_out(out: Path, assignment_root: Path, reference: Path) -> None:
    """The kit's folder: new, empty or an older kit; never the assignment's or the reference's folder."""
    resolved = out.resolve()
    if resolved in (assignment_root.resolve(), reference.parent.resolve()):
        raise UsageError(f"--out '{out}' is the assignment's folder", "usage.kit.out_is_assignment", out=str(out))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not is_kit(out))):
        raise UsageError(f"--out '{out}' exists and is not a kit", "usage.kit.out_taken", out=str(out))


def build(*, assignment: str, out: Path, lang: str = "pt", data_dir: Path | None = None, store: Path | None = None,
          no_store: bool = False, force: bool = False, assignments_dir: Path | None = None,
          isolation: str = "auto", cell_timeout: float | None = None, cifar10_dir: Path | None = None) -> KitSummary:
    """Execute (or read from the store) the reference, then write the kit of ``assignment`` into ``out``."""
    catalogue = load_catalogue(lang)  # an unknown language is a usage error before any work starts
    spec, registry = load_assignment(assignment, assignments_dir)
    out = Path(out)
    _check_out(out, Path(spec.root), spec.reference_path)
    context = make_context(spec, data_dir=data_dir, cifar10_dir=cifar10_dir, store=store, no_store=no_store, cell_timeout=cell_timeout,
                           isolation=isolation, jobs=1, catalogue=catalogue)
    with tempfile.TemporaryDirectory(prefix="grader-kit-") as folder:  # kernel banners: not the terminal
        pool = LocalPool(1, Path(folder) / "kernel.log")
        collected = collect_all({REFERENCE_KEY: spec.reference_path}, context, pool, catalogue,
                                use_cache=not (no_store or force))
    reference, _ = collected[REFERENCE_KEY]
    if reference.error:
        raise UsageError(f"the reference solution could not be executed: {reference.error}",
                         "usage.kit.reference_failed", reason=reference.error)
    contents = build_contents(spec, reference, new_key(), __version__, registry)
    write_kit(contents, spec.notebook_path, out)
    wheel = write_wheel(out)
    (out / README_NAME).write_text(catalogue("kit.readme", wheel=wheel.name, notebook=spec.notebook) + "\n",
                                   encoding="utf-8")
    _print_summary(contents, spec, out, wheel, catalogue)
    return KitSummary(contents, out)


def _print_summary(contents: KitContents, spec, out: Path, wheel: Path, t: Catalogue) -> None:
    visible = len(contents.assignment.checks)
    console.out(t("cli.kit.built", assignment=spec.id, out=str(out), visible=visible,
                  hidden=len(spec.checks) - visible))
    if contents.deferred:
        console.out(t("cli.kit.deferred", checks=", ".join(contents.deferred)))
    if contents.hidden_inputs:
        console.out(t("cli.kit.hidden_inputs", checks=", ".join(contents.hidden_inputs)))
    console.out(t("cli.kit.publish", out=str(out), wheel=wheel.name))
