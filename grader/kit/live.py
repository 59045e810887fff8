"""``verificar("desafio-3")``: check the live objects of the student's own kernel against the kit.

The kernel-side harness (:mod:`grader.execute.kernel_side`, with the Keras harvest of
:mod:`grader.inspect.keras.kernel_side` observing) finds the models and variables
the notebook can reach and exports them to a temporary folder, exactly as after a section
of ``grader run``; the grader's inspection rebuilds the models from those files and the
kit's checks judge them. Checks that need the saved notebook (cells run without error,
written answers) or an evaluation on the test set are left to ``grader check --kit``.
It is a convenience, not a grade: it says so.

The kit is found at ``kit=``, else ``$GRADER_KIT``, else ``./kit`` (beside the notebook:
Jupyter and Colab start kernels in the notebook's folder), else ``../kit``.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from grader.checks.base import default_registry
from grader.facts import ModelFacts, NotebookFacts, SectionFacts
from grader.kit.contents import KitContents
from grader.kit.files import is_kit, load_kit
from grader.kit.judging import KitRegistry, score_with_kit
from grader.errors import NotebookError
from grader.messages import Catalogue, load_catalogue
from grader.notebook import attempted_sections, load_notebook, split_sections
from grader.report.text import check_lines, untried_sections
from grader.results import SubmissionResult
from grader.spec import Assignment

log = logging.getLogger(__name__)

ENV = "GRADER_KIT"
LIVE_ONLY_IN_CHECK = "kit.live_only_in_check"
# where Jupyter (JupyterLab, Notebook 7: ipykernel sets it from the session) and VS Code name the notebook a kernel runs
NOTEBOOK_NAMES = ("__session__", "__vsc_ipynb_file__")


@dataclass(frozen=True)
class LiveSummary:
    """What :func:`verificar` found: the scored result (visible checks of the section) and the text shown."""

    result: SubmissionResult
    section: str | None
    text: str

    def _repr_pretty_(self, printer, cycle) -> None:  # the summary was already printed: show nothing more
        printer.text("")


class KitNotFound(FileNotFoundError):
    """No kit where :func:`find_kit` looked; the message (in the student's language) says where to put it."""


def find_kit(kit: str | Path | None = None, environ: Mapping[str, str] = os.environ, cwd: Path | None = None,
             lang: str = "pt") -> Path:
    """The kit folder: ``kit``, else ``$GRADER_KIT``, else ``./kit`` or ``../kit``."""
    cwd = Path(cwd or Path.cwd())
    if kit:
        candidates = [Path(kit)]
    elif environ.get(ENV):
        candidates = [Path(environ[ENV])]
    else:
        candidates = [cwd / "kit", cwd.parent / "kit"]
    for folder in candidates:
        if is_kit(folder):
            return folder
    raise KitNotFound(load_catalogue(lang)("kit.live.no_kit", looked=", ".join(str(c) for c in candidates)))


def _harness(assignment: Assignment, keras: bool):
    """The kernel-side harness, without touching the student's random state nor patching Keras."""
    from grader.execute import kernel_side
    from grader.inspect.keras import kernel_side as keras_side
    import numpy as np

    state, np_state = random.getstate(), np.random.get_state()
    try:
        harness = kernel_side.Harness(assignment.execution.seed, assignment.execution.max_export_params)
    finally:
        random.setstate(state)
        np.random.set_state(np_state)
    if keras:  # the Keras harvest, observing only: it neither seeds Keras nor hooks fit
        keras_side.observe(harness, vars(kernel_side))
    return harness


def _models(manifest: dict, directory: Path, section: str, max_export_params: int) -> tuple[ModelFacts, ...]:
    from grader.inspect.keras.models import rebuild

    found = []
    for entry in manifest.get("models", []):
        if isinstance(entry, dict):
            facts, _ = rebuild(entry, section, directory / str(entry.get("dir", "")), max_export_params)
            found.append(facts)
    return tuple(found)


def live_facts(user_ns: dict[str, Any], assignment: Assignment, sections: list[str]) -> NotebookFacts:
    """Facts of the live namespace, every model and variable counted in each of ``sections``."""
    from grader.execute import function_calls, uses_models, value_names

    keras = uses_models(assignment) and "keras" in sys.modules  # never import TensorFlow for the student
    harness = _harness(assignment, keras)
    names = sorted({n for s in sections for n in value_names(assignment).get(s, [])})
    with tempfile.TemporaryDirectory(prefix="grader-verificar-") as folder:
        root = Path(folder)
        harness.harvest("live", str(root), user_ns, names, export=True)
        manifest = json.loads((root / "live" / "manifest.json").read_text(encoding="utf-8"))
        calls = {}
        for command in function_calls(assignment):
            if command["id"] in {c.id for c in assignment.checks if c.section in sections}:
                harness.call_function({**command, "out_dir": str(root / "__calls__"), "segment": command["id"]}, user_ns)
                calls[command["id"]] = json.loads((root / "__calls__" / command["id"] / "calls.json").read_text())
        facts_sections = tuple(
            SectionFacts(id=s.id, title=s.title, values=dict(manifest.get("values", {})), attempted=True, harvested=True,
                         models=_models(manifest, root / "live", s.id, assignment.execution.max_export_params))
            for s in assignment.sections if s.id in sections)
    return NotebookFacts(sha256="live", sections=facts_sections, calls=calls)


def _render_text(result: SubmissionResult, kit: KitContents, section: str | None, cat: Catalogue) -> str:
    """The report's verdicts and words, check by check (:mod:`grader.report.text`)."""
    title = {s.id: s.title for s in kit.assignment.sections}
    header = (cat("kit.live.header", section=title.get(section, section), assignment=kit.assignment.id) if section
              else cat("kit.live.header_all", assignment=kit.assignment.id))
    lines = [header]
    skipped, noted = untried_sections(result), set()
    for check in check_lines(result, cat):
        if check.section in skipped and check.section not in noted:
            noted.add(check.section)
            lines.append(cat("kit.live.not_attempted", section=title.get(check.section, check.section),
                             note=cat("report.not_attempted_note")))
        lines.append(check.text())
    passed = sum(1 for c in result.checks if c.status == "passed")
    lines += [cat("kit.live.total", passed=passed, count=len(result.checks)), cat("kit.note.not_a_grade")]
    return "\n".join(lines)


def current_notebook(namespace: Mapping[str, Any]):
    """The notebook this kernel runs, as saved (Jupyter, VS Code) or as open (Colab); None when unknown."""
    for name in NOTEBOOK_NAMES:
        value = namespace.get(name)
        if isinstance(value, str) and value.endswith(".ipynb"):
            for path in (Path(value), Path.cwd() / Path(value).name):
                if path.is_file():
                    try:
                        return load_notebook(path)
                    except NotebookError as exc:
                        log.info("the notebook %s cannot be read: %s", path, exc)
                        return None
    if "google.colab" in sys.modules:
        return _colab_notebook()
    return None


def _colab_notebook():
    import nbformat

    try:
        from google.colab import _message  # Colab's own channel to the open notebook

        return nbformat.from_dict(_message.blocking_request("get_ipynb", timeout_sec=10)["ipynb"])
    except Exception as exc:  # a private API: whatever fails, the sections are taken as attempted
        log.info("Colab did not give the open notebook: %s", exc)
        return None


def with_attempted(facts: NotebookFacts, namespace: Mapping[str, Any], kit: KitContents) -> NotebookFacts:
    """Sections the student left as handed out marked so (as ``grader check`` marks them), when the notebook is known."""
    nb = current_notebook(namespace)
    handout = Path(kit.assignment.root) / kit.assignment.notebook
    if nb is None or not handout.is_file():
        return facts
    attempted = attempted_sections(nb, load_notebook(handout), split_sections(nb, kit.assignment))
    return dataclasses.replace(facts, sections=tuple(dataclasses.replace(s, attempted=s.id in attempted)
                                                     for s in facts.sections))


def _render_html(text: str) -> str:
    first, *rest = text.split("\n")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in rest[:-2])
    foot = "".join(f"<p>{html.escape(line)}</p>" for line in rest[-2:])
    return f"<div class='grader-verificar'><strong>{html.escape(first)}</strong><ul>{items}</ul>{foot}</div>"


def _show(text: str) -> None:
    """HTML in Jupyter (IPython.display), plain text elsewhere."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import HTML, display

        display(HTML(_render_html(text)))
    else:
        print(text)


def verificar(section: str | None = None, *, kit: str | Path | None = None, lang: str = "pt",
              namespace: dict[str, Any] | None = None) -> LiveSummary:
    """Check the notebook's live objects against the kit's visible checks of ``section`` (all when None)."""
    contents = load_kit(find_kit(kit, lang=lang))
    spec = contents.assignment
    cat = load_catalogue(lang)
    ids = [s.id for s in spec.sections]
    if section is not None and section not in ids:
        text = cat("kit.live.unknown_section", section=section, sections=", ".join(ids))
        _show(text)
        raise ValueError(text)
    if namespace is None:
        import __main__

        namespace = vars(__main__)
    chosen = [section] if section else ids
    spec_now = spec if section is None else _only(spec, section)
    facts = with_attempted(live_facts(namespace, spec_now, chosen), namespace, contents)
    # a kind that cannot be judged from the live objects (it needs the saved notebook or the test set) says so
    kinds = default_registry()
    later = tuple(c.id for c in spec_now.checks if c.kind not in kinds or not kinds.get(c.kind).live)
    registry = KitRegistry(contents.deferred, base=kinds, later={c: LIVE_ONLY_IN_CHECK for c in later})
    kit_now = KitContents(spec_now, contents.reference, contents.key, contents.deferred, contents.hidden_inputs)
    result = score_with_kit(submission_id="notebook", path="", facts=facts, kit=kit_now, catalogue=cat,
                            registry=registry)
    result = _without_grader_errors(result, cat)
    text = _render_text(result, kit_now, section, cat)
    _show(text)
    return LiveSummary(result, section, text)


def _without_grader_errors(result: SubmissionResult, cat: Catalogue) -> SubmissionResult:
    """A model the grader could not rebuild here (its own ``call()``, no weights): for ``grader check --kit``."""
    checks = tuple(dataclasses.replace(c, status="skipped", message=cat("kit.live_model_judge")) if c.grader_error
                   else c for c in result.checks)
    return dataclasses.replace(result, checks=checks)


def _only(spec: Assignment, section: str) -> Assignment:
    return dataclasses.replace(spec, checks=tuple(c for c in spec.checks if c.section == section))
