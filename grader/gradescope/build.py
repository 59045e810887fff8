"""``grader gradescope build``: the autograder zip Gradescope's "Configure Autograder" page takes.

Gradescope extracts the zip into ``/autograder/source``. At its root: ``setup.sh`` and
``run_autograder`` (which Gradescope copies to ``/autograder/run_autograder``), the grader's own source tree (installed editable
by ``setup.sh``), the assignment without its example submissions, its reference solution,
the four Fashion-MNIST ``.gz`` files (shipped, since Gradescope's Ubuntu image has no
Debian dataset package and nothing is downloaded at run time), ``gradescope.json`` (the
settings) and ``fallback_results.json`` (what ``run_autograder`` writes if the grader is
not installed).
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from grader.version import __version__
from grader.assignments import find_spec, load as load_assignment, project_root, default_assignments_dir
from grader.datasets import FILES as DATASET_FILES, find_fashion_mnist
from grader.errors import UsageError
from grader.execute import uses_models
from grader.gradescope.results import failure_results
from grader.gradescope.settings import (GRADESCOPE_DEFAULT_MEMORY_MB, MODEL_MEMORY_MB, OVERHEAD_SECONDS,
                                        SETTINGS_NAME, AutograderSettings)
from grader.messages import load_catalogue
from grader.spec import Assignment

HERE = Path(__file__).parent
SCRIPTS = ("setup.sh", "run_autograder")
FALLBACK_NAME = "fallback_results.json"
# the grader's source tree as ``pip install -e`` needs it (templates live beside the package)
PROJECT_ENTRIES = ("pyproject.toml", "README.md", "grader", "templates")
LEFT_OUT = {"__pycache__", "examples", ".ipynb_checkpoints"}  # example submissions are not shipped


@dataclass(frozen=True)
class BuildSummary:
    path: Path
    settings: AutograderSettings
    entries: int
    size_bytes: int

    @property
    def exit_code(self) -> int:
        return 0


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p in LEFT_OUT or p.startswith(".") for p in parts) \
                and path.suffix not in (".pyc", ".pyo"):
            yield path


def _inside_source(path: Path, spec_dir: Path, spec_in_zip: PurePosixPath) -> PurePosixPath:
    """Where ``path`` goes so that its path relative to the spec's folder still holds in the zip."""
    relative = os.path.relpath(path, spec_dir).replace(os.sep, "/")
    target = PurePosixPath(os.path.normpath(str(spec_in_zip / relative)))
    if ".." in target.parts or target.is_absolute():
        raise UsageError(f"{path} lies outside what the zip can hold relative to {spec_dir}",
                         "usage.gradescope.outside", path=str(path), folder=str(spec_dir))
    return target


def needs(spec: Assignment) -> tuple[int, int]:
    """Memory (MB) and time (s) a Gradescope run of one submission of ``spec`` needs (the reference is stored)."""
    memory = MODEL_MEMORY_MB if uses_models(spec) else GRADESCOPE_DEFAULT_MEMORY_MB
    return memory, int(spec.execution.total_timeout + OVERHEAD_SECONDS)


def _entries(spec: Assignment, spec_file: Path, data: Path, settings: AutograderSettings
             ) -> Iterator[tuple[PurePosixPath, Path | bytes]]:
    """(name in the zip, file or bytes) of everything the zip holds, scripts first."""
    for script in SCRIPTS:
        yield PurePosixPath(script), HERE / script
    root = project_root()
    for entry in PROJECT_ENTRIES:
        path = root / entry
        for file in ([path] if path.is_file() else _files(path)):
            yield PurePosixPath(file.relative_to(root).as_posix()), file
    spec_dir = spec_file.parent.resolve()
    spec_in_zip = PurePosixPath(settings.assignments_dir) / spec_dir.name
    for file in _files(spec_dir):
        yield spec_in_zip / file.relative_to(spec_dir).as_posix(), file
    for extra in (spec.reference_path, spec.notebook_path):
        if spec_dir not in Path(extra).resolve().parents:
            yield _inside_source(Path(extra).resolve(), spec_dir, spec_in_zip), Path(extra)
    for name in DATASET_FILES:
        yield PurePosixPath(settings.data_dir) / name, data / name
    yield PurePosixPath(SETTINGS_NAME), json.dumps(settings.to_json(), indent=1).encode()
    cat = load_catalogue(settings.lang)
    fallback = failure_results(cat("gradescope.not_installed"), settings.max_score, cat)
    yield PurePosixPath(FALLBACK_NAME), json.dumps(fallback.to_json(), indent=1, ensure_ascii=False).encode()


def _write(zf: zipfile.ZipFile, name: PurePosixPath, content: Path | bytes) -> None:
    data = content if isinstance(content, bytes) else content.read_bytes()
    info = zipfile.ZipInfo(str(name), date_time=(2026, 1, 1, 0, 0, 0))  # a fixed date: the same input, the same zip
    executable = str(name) in SCRIPTS
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    # the data set is already gzip-compressed
    info.compress_type = zipfile.ZIP_STORED if str(name).endswith(".gz") else zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build(*, assignment: str, out: Path, assignments_dir: Path | None = None, data_dir: Path | None = None,
          lang: str = "pt", leaderboard: bool = True) -> BuildSummary:
    """Write the autograder zip of ``assignment`` to ``out``."""
    spec_file = find_spec(assignment, assignments_dir or default_assignments_dir())
    spec, _ = load_assignment(str(spec_file.parent))  # an invalid spec stops here, not in Gradescope
    data = find_fashion_mnist(data_dir)
    memory, timeout = needs(spec)
    settings = AutograderSettings(spec_file.parent.name, spec.title, lang, memory_mb=memory, timeout_seconds=timeout,
                                  leaderboard=leaderboard, max_score=spec.max_score, grader_version=__version__)
    out = Path(out)
    if out.is_dir():
        raise UsageError(f"-o '{out}' is a folder; give the zip's file name", "usage.gradescope.out_is_folder",
                         out=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    names = set()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in _entries(spec, spec_file, data, settings):
            if name not in names:
                names.add(name)
                _write(zf, name, content)
    return BuildSummary(out, settings, len(names), out.stat().st_size)


def build_command(**options) -> int:
    """``grader gradescope build``: write the zip, then say what to set in Gradescope."""
    from grader import console
    from grader.messages import load_catalogue

    summary = build(**options)
    settings = summary.settings
    t = load_catalogue(options.get("lang", "pt"))
    console.out(t("cli.gradescope.built", assignment=settings.assignment, path=str(summary.path),
                          size_mb=round(summary.size_bytes / 2**20, 1), entries=summary.entries))
    console.out(t("cli.gradescope.settings", memory_mb=settings.memory_mb,
                          minutes=-(-settings.timeout_seconds // 60)))
    return summary.exit_code
