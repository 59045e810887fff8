"""Find the submissions in a folder: one notebook per student, with an id from its name."""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path
    relative: str


def _safe_id(text: str) -> str:
    return re.sub(r"[^\w.@+-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"


def _ignored(name: str) -> bool:
    """Hidden files and folders (``.ipynb_checkpoints``, macOS ``._x.ipynb``) and zip debris (``__MACOSX``)."""
    return name.startswith(".") or name == "__MACOSX"


def discover_submissions(folder: Path) -> list[Submission]:
    """``*.ipynb`` in ``folder`` (id = file stem) or one per sub-folder (id = folder name)."""
    folder = Path(folder)
    if folder.is_file():
        return [Submission(_safe_id(folder.stem), folder, folder.name)]
    if not folder.is_dir():
        raise UsageError(f"submissions folder '{folder}' does not exist", "usage.submissions_missing",
                         folder=str(folder))
    found = [Submission(_safe_id(p.stem), p, p.name) for p in sorted(folder.glob("*.ipynb")) if not _ignored(p.name)]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not _ignored(p.name)):
        notebooks = sorted(sub.rglob("*.ipynb"))
        notebooks = [n for n in notebooks if not any(_ignored(part) for part in n.relative_to(sub).parts)]
        if notebooks:
            found.append(Submission(_safe_id(sub.name), notebooks[0], str(notebooks[0].relative_to(folder))))
            if len(notebooks) > 1:
                log.warning("%s holds %d notebooks; grading %s", sub, len(notebooks), notebooks[0].name)
    ids = [s.id for s in found]
    unique, used = [], set()
    for n, s in enumerate(found, start=1):
        new_id = f"{s.id}-{n}" if ids.count(s.id) > 1 else s.id
        # a suffixed id may equal another student's own id ("ana" twice, "ana-2" once)
        extra = 0
        while new_id in used or (new_id != s.id and new_id in ids):
            extra += 1
            new_id = f"{s.id}-{n}-{extra}"
        used.add(new_id)
        unique.append(dataclasses.replace(s, id=new_id))
    return unique


# ---------------------------------------------------------------------- worker side
