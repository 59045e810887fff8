"""``grader check NOTEBOOK --kit DIR``: a student's self-check with the published kit, offline.

The same pipeline as ``grader check`` (the kernel sandboxed where the machine allows, the
judging outside it, the student's report), with the kit's visible checks and sealed
reference facts instead of the assignment and its reference notebook.
"""

from __future__ import annotations

from pathlib import Path

from grader import console
from grader.datasets import DEBIAN_DIR, FILES
from grader.discovery import Submission, submission_id
from grader.kit.files import load_kit
from grader.kit.judging import score_with_kit
from grader.messages import load_catalogue
from grader.outputs import prepare_out, write_outputs
from grader.run import make_context
from grader.backends import LocalPool
from grader.schedule import collect_all
from grader.selfcheck import CheckSummary, print_summary, validate_notebook

KERAS_CACHE = Path("~/.keras/datasets/fashion-mnist")  # where a student's own Keras downloaded it


def student_data_dir(data_dir: Path | None) -> Path | None:
    """``data_dir``, else Debian's package, else the Fashion-MNIST a student's Keras already downloaded."""
    if data_dir is not None or all((DEBIAN_DIR / name).is_file() for name in FILES):
        return data_dir
    cache = KERAS_CACHE.expanduser()
    return cache if all((cache / name).is_file() for name in FILES) else None


def check_with_kit(*, notebook: Path, kit: Path, out: Path | None = None, lang: str = "pt",
                   cell_timeout: float | None = None, data_dir: Path | None = None, store: Path | None = None,
                   no_store: bool = False, isolation: str = "auto", force: bool = False,
                   cifar10_dir: Path | None = None) -> CheckSummary:
    """Execute ``notebook`` and score it on the kit's visible checks; the report goes beside the notebook."""
    notebook = validate_notebook(notebook, lang)
    contents = load_kit(kit)
    spec = contents.assignment
    catalogue = load_catalogue(lang)
    context = make_context(spec, data_dir=student_data_dir(data_dir), cifar10_dir=cifar10_dir, store=store, no_store=no_store,
                           cell_timeout=cell_timeout, isolation=isolation, jobs=1,
                           degraded_warning="kit.isolation_degraded", catalogue=catalogue)
    out = Path(out) if out else notebook.with_name(f"{notebook.stem}-relatorio")
    console.err(catalogue("cli.check.running", notebook=notebook.name))
    log_path = prepare_out(out)
    console.log_to(log_path)
    sub = Submission(submission_id(notebook.stem), notebook, notebook.name)
    facts, cached = collect_all({sub.id: notebook}, context, LocalPool(1, log_path), catalogue,
                                use_cache=not (no_store or force))[sub.id]
    result = score_with_kit(submission_id=sub.id, path=sub.relative, facts=facts, kit=contents,
                            catalogue=catalogue, cached=cached)
    results = write_outputs(out, spec, {sub.id: (result, facts)}, contents.reference, lang, context.sandbox,
                            student_only=True)  # a student's folder: no instructor's view, no class dashboard
    result = results.submissions[0]
    summary = CheckSummary(result, out / (result.report or ""))
    print_summary(result, summary.report, lang)
    print_kit_notes(contents, catalogue)
    return summary


def print_kit_notes(contents, catalogue) -> None:
    """What a kit's self-check does not tell: hidden inputs, deferred checks; and that it is not the grade."""
    if contents.hidden_inputs:
        console.out(catalogue("kit.note.hidden_inputs", checks=", ".join(contents.hidden_inputs)))
    console.out(catalogue("kit.note.not_a_grade"))
