"""The student's install: a wheel of the running grader, written beside ``kit.json``.

Written directly as a zip (a pure-Python wheel is a zip with ``*.dist-info`` metadata), from
the grader package this process runs and its report templates, so an instructor needs no
build tools nor network, and the wheel holds nothing but the package: no assignment, no
reference solution, no master, no example submission.

TensorFlow is not a requirement of the wheel: Colab already has one, and ``pip install`` would
add a second copy next to it (``tensorflow-cpu`` is another distribution than ``tensorflow``).
A machine without it installs the ``[tensorflow]`` extra. Nor does the wheel raise the Jupyter
a machine already runs (Colab's is pinned by google-colab).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from grader.report.common import TEMPLATES_DIR
from grader.version import __version__

NAME = "grader"
TEMPLATES_IN_PACKAGE = "templates"  # grader/templates/ in the wheel (grader.report.common looks there first)
# what ``grader check --kit`` and ``verificar()`` import; the bounds are pyproject.toml's, except
# for the Jupyter that runs the notebook itself: Colab pins its own (google-colab requires exact
# ipykernel and jupyter-client versions), so the wheel asks only what nbclient needs and pip leaves it alone
JUPYTER_AS_INSTALLED = {"jupyter_client": "jupyter_client>=6.1.12", "ipykernel": "ipykernel>=6"}
REQUIREMENTS = (
    "keras>=3.3,<4",
    "h5py>=3.10",
    "numpy>=1.26",
    "nbformat>=5.9",
    "nbclient>=0.10",
    JUPYTER_AS_INSTALLED["jupyter_client"],
    JUPYTER_AS_INSTALLED["ipykernel"],
    "jinja2>=3.1",
    "tqdm>=4.66",
    "scikit-learn>=1.3",  # per-class metrics of an accuracy check
    "PyYAML>=6",
)
EXTRAS = {"tensorflow": ("tensorflow>=2.16,<2.22",)}
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
# never in a student's wheel, whatever someone leaves inside the package folder
FORBIDDEN_SUFFIXES = (".ipynb", ".sqlite", ".keras", ".npz")


class WheelError(Exception):
    """The package folder holds something a student's wheel must not carry."""


def wheel_name(version: str = __version__) -> str:
    return f"{NAME}-{version}-py3-none-any.whl"


def _package_files(package: Path, templates: Path) -> list[tuple[str, Path]]:
    """``(name in the wheel, file)`` of the package and its templates, sorted."""
    files = []
    for path in sorted(package.rglob("*")):
        parts = path.relative_to(package).parts
        if not path.is_file() or _SKIPPED_DIRS & set(parts) or path.suffix in _SKIPPED_SUFFIXES:
            continue
        files.append((f"{NAME}/{'/'.join(parts)}", path))
    files += [(f"{NAME}/{TEMPLATES_IN_PACKAGE}/{path.name}", path) for path in sorted(templates.glob("*.j2"))]
    bad = [name for name, _ in files if name.endswith(FORBIDDEN_SUFFIXES)]
    if bad:
        raise WheelError(f"the grader package holds files no student may get: {', '.join(bad)}")
    return files


def _metadata(version: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {version}",
             "Summary: Self-check of the course's notebooks with the instructor's kit (grader check --kit, verificar())",
             "Requires-Python: >=3.11"]
    lines += [f"Requires-Dist: {r}" for r in REQUIREMENTS]
    for extra, requirements in EXTRAS.items():
        lines += [f"Provides-Extra: {extra}"] + [f'Requires-Dist: {r}; extra == "{extra}"' for r in requirements]
    return "\n".join(lines) + "\n"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(out: Path, version: str = __version__, package: Path | None = None,
                templates: Path = TEMPLATES_DIR) -> Path:
    """Write the student's wheel into the folder ``out``; its path."""
    package = Path(package or Path(__file__).parents[1])  # grader/
    dist_info = f"{NAME}-{version}.dist-info"
    entries = [(name, path.read_bytes()) for name, path in _package_files(package, templates)]
    entries += [
        (f"{dist_info}/METADATA", _metadata(version).encode()),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: grader kit build\nRoot-Is-Purelib: true\n"
                               b"Tag: py3-none-any\n"),
        (f"{dist_info}/entry_points.txt", b"[console_scripts]\ngrader = grader.cli:main\n"),
    ]
    record = "\n".join([_record_line(n, d) for n, d in entries] + [f"{dist_info}/RECORD,,"]) + "\n"
    path = Path(out) / wheel_name(version)
    for old in Path(out).glob(f"{NAME}-*.whl"):  # an older kit's wheel in the same folder
        old.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries + [(f"{dist_info}/RECORD", record.encode())]:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes for the same package
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return path
