"""Find the submissions in a folder: one notebook per student, with an id from its name.

Plain folders: ``*.ipynb`` (id = file stem) or one sub-folder per student (id = folder name).
LMS bulk downloads (Moodle, Canvas, Gradescope; see :mod:`grader.lms_names`): the id is the
LMS's id of the student, the name is kept, and when a student handed in twice the latest
hand-in is graded and the other listed as replaced. Files that are not notebooks are listed
as skipped, never graded as broken notebooks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UsageError
from grader.lms_names import (CANVAS, GRADESCOPE, GRADESCOPE_METADATA, SubmissionSource, parse_canvas,
                              parse_gradescope_metadata, parse_moodle)
from grader.serial import JsonData

log = logging.getLogger(__name__)

# the grader's own files next to the submissions (grader.decisions, grader.submission_times): not hand-ins
GRADER_FILES = frozenset({"decisions.toml", "submitted.toml", "submitted.csv"})
NOT_NOTEBOOK, OTHER_NOTEBOOK, UNSAFE, TOO_LARGE = "not_notebook", "other_notebook", "unsafe_path", "too_large"
# What a run writes at the top of OUT (grader.outputs, grader.similarity, the exports' default
# files): OUT/<id>/ never takes one of these names, in any letter case (tests check the list)
RUN_OUTPUTS = frozenset({"results.json", "grades.csv", "index.html", "grader.log", "similarity.html",
                         "similarity.csv", "similarity.json", "canvas-import.csv", "moodle-worksheet.csv",
                         "junit.xml", "gradescope.json"})
# names Windows refuses for a file or folder (an OUT copied or unzipped there)
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                             *(f"lpt{n}" for n in range(10))})
MAX_ID_BYTES = 120  # a folder name (255 bytes at most) with room for what tools append
RESERVED, TOO_LONG = "reserved", "too_long"


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path
    relative: str
    source: SubmissionSource | None = None


@dataclass(frozen=True)
class SkippedFile(JsonData):
    """A file of the submissions that is not graded, and why (``not_notebook``, ``other_notebook``, ...)."""

    path: str  # relative to the submissions folder (or the archive)
    reason: str
    submission: str | None = None  # the student it belongs to, when its name says


@dataclass(frozen=True)
class ReplacedSubmission(JsonData):
    """An earlier hand-in of a student that is not graded because a later one is."""

    submission: str
    path: str  # the earlier hand-in
    kept: str  # the hand-in graded instead


@dataclass(frozen=True)
class RenamedSubmission(JsonData):
    """A submission whose name could not be its id as it stands (see :func:`_bounded_id`)."""

    path: str
    name: str  # the id its name gave
    id: str  # the id it got
    reason: str  # reserved | too_long


@dataclass(frozen=True)
class DiscoveryInfo(JsonData):
    """What discovery recognised (``lms``) and left out: skipped files, replaced hand-ins, renamed ids."""

    lms: str = ""
    skipped: tuple[SkippedFile, ...] = ()
    replaced: tuple[ReplacedSubmission, ...] = ()
    renamed: tuple[RenamedSubmission, ...] = ()


@dataclass(frozen=True)
class Discovery:
    submissions: list[Submission]
    info: DiscoveryInfo = field(default_factory=DiscoveryInfo)


@dataclass(frozen=True)
class _Candidate:
    base_id: str
    path: Path
    relative: str
    source: SubmissionSource | None

    @property
    def recency(self) -> tuple:
        return (self.source.recency if self.source else (), _mtime(self.path), self.relative)


def _safe_id(text: str) -> str:
    """A file name made of ``text``: letters, digits and ``_.@+-`` only, no leading or trailing dot."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[^\w.@+-]+", "_", text, flags=re.UNICODE).strip("._") or "submission"


def _bounded_id(safe: str) -> tuple[str, str | None]:
    """``safe`` as a folder of OUT may be named: ``(id, why it was renamed or None)``.

    A run's own output name gets a suffix (``results.json`` -> ``results.json-submission``);
    a name longer than :data:`MAX_ID_BYTES` is cut and keeps a digest of the whole, so two
    long names stay apart. Both are deterministic: the same file gets the same id every run.
    """
    if len(safe.encode("utf-8")) > MAX_ID_BYTES:
        digest = hashlib.sha256(safe.encode("utf-8")).hexdigest()[:10]
        cut = safe.encode("utf-8")[:MAX_ID_BYTES - len(digest) - 1].decode("utf-8", "ignore").rstrip("._")
        return f"{cut}-{digest}", TOO_LONG
    stem = safe.split(".")[0].casefold()
    if safe.casefold() in RUN_OUTPUTS or stem in WINDOWS_DEVICES:
        return f"{safe}-submission", RESERVED
    return safe, None


def submission_id(name: str) -> str:
    """The id a notebook or folder named ``name`` gets when it is graded alone (``grader check``)."""
    return _bounded_id(_safe_id(name))[0]


def _ignored(name: str) -> bool:
    """Hidden files and folders (``.ipynb_checkpoints``, macOS ``._x.ipynb``) and zip debris (``__MACOSX``)."""
    return name.startswith(".") or name == "__MACOSX"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _is_notebook(path: Path) -> bool:
    return path.suffix.lower() == ".ipynb"


def _export_root(folder: Path) -> Path:
    """``folder``, or the one folder inside it that holds an LMS download (a re-zipped ``entregas/``).

    A single folder is looked into only when it holds a Gradescope export's metadata or
    entries named the LMS way; otherwise it is one student's folder, as plain folders are.
    """
    inner = [p for p in folder.iterdir() if not _ignored(p.name)]
    if len(inner) != 1 or not inner[0].is_dir() or parse_moodle(inner[0].name):
        return folder
    wrapper = inner[0]
    named = any(parse_moodle(p.name) or parse_canvas(p.name) for p in wrapper.iterdir() if not _ignored(p.name))
    return wrapper if named or (wrapper / GRADESCOPE_METADATA).is_file() else folder


def _gradescope_sources(root: Path) -> dict[str, SubmissionSource]:
    metadata = root / GRADESCOPE_METADATA
    if not metadata.is_file():
        return {}
    try:
        return parse_gradescope_metadata(metadata.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{metadata}: {exc}", "usage.lms.gradescope_metadata", file=str(metadata),
                         reason=str(exc)) from None


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(_ignored(part) for part in p.relative_to(folder).parts))


def _folder_candidate(sub: Path, base: Path, source: SubmissionSource | None,
                      skipped: list[SkippedFile]) -> _Candidate | None:
    """The notebook a student's folder hands in (the latest when it holds several); the rest is skipped."""
    files = _files_under(sub)
    base_id = _safe_id(source.key if source else sub.name)
    notebooks = [f for f in files if _is_notebook(f)]
    for other in (f for f in files if not _is_notebook(f)):
        skipped.append(SkippedFile(str(other.relative_to(base)), NOT_NOTEBOOK, base_id))
    if not notebooks:
        return None
    newest = max(_mtime(n) for n in notebooks)
    graded = next(n for n in notebooks if _mtime(n) == newest)  # the latest; of equals, the first by name
    if len(notebooks) > 1:
        log.warning("%s holds %d notebooks; grading %s", sub, len(notebooks), graded.name)
    for other in notebooks:
        if other != graded:
            skipped.append(SkippedFile(str(other.relative_to(base)), OTHER_NOTEBOOK, base_id))
    if source is not None and not source.file:
        source = dataclasses.replace(source, file=graded.name)
    return _Candidate(base_id, graded, str(graded.relative_to(base)), source)


def _candidates(root: Path, base: Path) -> tuple[list[_Candidate], list[SkippedFile], str]:
    gradescope = _gradescope_sources(root)
    entries = sorted(p for p in root.iterdir() if not _ignored(p.name))
    files = [p for p in entries if p.is_file() and p.name not in GRADER_FILES
             and not (gradescope and p.name == GRADESCOPE_METADATA)]
    # Canvas's pattern is loose (name_digits_digits_file): trusted only when every file follows it
    canvas = bool(files) and all(parse_canvas(p.name) for p in files)
    candidates, skipped, kinds = [], [], set()
    for path in files:
        source = parse_moodle(path.name) or (parse_canvas(path.name) if canvas else None)
        base_id = _safe_id(source.key if source else path.stem)
        if not _is_notebook(path):
            skipped.append(SkippedFile(str(path.relative_to(base)), NOT_NOTEBOOK, base_id if source else None))
            continue
        candidates.append(_Candidate(base_id, path, str(path.relative_to(base)), source))
    for sub in (p for p in entries if p.is_dir()):
        source = gradescope.get(sub.name) or parse_moodle(sub.name)
        candidate = _folder_candidate(sub, base, source, skipped)
        if candidate:
            candidates.append(candidate)
    kinds = {c.source.lms for c in candidates if c.source}
    lms = GRADESCOPE if gradescope else (CANVAS if canvas else ", ".join(sorted(kinds)))
    return candidates, skipped, lms


def _latest_per_student(candidates: list[_Candidate]) -> tuple[list[_Candidate], list[ReplacedSubmission]]:
    """One candidate per LMS student (the latest hand-in); plain names are all kept."""
    by_student: dict[str, list[_Candidate]] = {}
    for c in candidates:
        if c.source is not None:
            by_student.setdefault(c.base_id, []).append(c)
    kept, replaced = [], []
    for c in candidates:
        if c.source is None:
            kept.append(c)
            continue
        group = by_student[c.base_id]
        latest = max(group, key=lambda g: g.recency)
        if c is latest:
            kept.append(c)
        else:
            replaced.append(ReplacedSubmission(c.base_id, c.relative, latest.relative))
    return kept, replaced


def _unique_ids(found: list[Submission]) -> list[Submission]:
    """Suffixes for ids that two plain names share; a suffix never takes another student's own id.

    Ids are compared in any letter case: ``Ana`` and ``ana`` would be one folder on a
    file system that ignores case (macOS, Windows, a USB stick).
    """
    ids = [s.id.casefold() for s in found]
    unique, used = [], set()
    for n, s in enumerate(found, start=1):
        new_id = f"{s.id}-{n}" if ids.count(s.id.casefold()) > 1 else s.id
        # a suffixed id may equal another student's own id ("ana" twice, "ana-2" once)
        extra = 0
        while new_id.casefold() in used or (new_id != s.id and new_id.casefold() in ids):
            extra += 1
            new_id = f"{s.id}-{n}-{extra}"
        used.add(new_id.casefold())
        unique.append(dataclasses.replace(s, id=new_id))
    return unique


def _safe_ids(found: list[Submission]) -> tuple[list[Submission], list[RenamedSubmission]]:
    """Ids that OUT may hold as folder names, each unique; the ones renamed for their name, and why."""
    bounded, renamed = [], []
    taken = {s.id.casefold() for s in found}  # a renamed id never takes a student's own
    for s in found:
        new_id, reason = _bounded_id(s.id)
        if reason is not None:
            base, n = new_id, 1
            while new_id.casefold() in taken:
                n += 1
                new_id = f"{base}-{n}"
            taken.add(new_id.casefold())
            renamed.append(RenamedSubmission(s.relative, s.id, new_id, reason))
        bounded.append(dataclasses.replace(s, id=new_id))
    unique = _unique_ids(bounded)
    final = {s.relative: s.id for s in unique}
    renamed = [dataclasses.replace(r, id=final[r.path]) for r in renamed]
    for r in renamed:
        log.warning("%s: id '%s' renamed '%s' (%s)", r.path, r.name, r.id, r.reason)
    return unique, renamed


def discover(folder: Path, skipped: tuple[SkippedFile, ...] = ()) -> Discovery:
    """The submissions under ``folder`` (a notebook file, a plain folder or an LMS download), and what was left out.

    ``skipped``: files left out before (an archive's unsafe entries), listed first.
    """
    folder = Path(folder)
    if folder.is_file():
        found, renamed = _safe_ids([Submission(_safe_id(folder.stem), folder, folder.name)])
        return Discovery(found, DiscoveryInfo(skipped=skipped, renamed=tuple(renamed)))
    if not folder.is_dir():
        raise UsageError(f"submissions folder '{folder}' does not exist", "usage.submissions_missing",
                         folder=str(folder))
    root = _export_root(folder)
    candidates, found_skipped, lms = _candidates(root, folder)  # paths relative to ``folder``
    kept, replaced = _latest_per_student(candidates)
    found, renamed = _safe_ids([Submission(c.base_id, c.path, c.relative, c.source) for c in kept])
    for r in replaced:
        log.info("%s handed in twice: grading %s, not %s", r.submission, r.kept, r.path)
    return Discovery(found, DiscoveryInfo(lms, (*skipped, *found_skipped), tuple(replaced), tuple(renamed)))


def discover_submissions(folder: Path) -> list[Submission]:
    """``*.ipynb`` in ``folder`` (id = file stem) or one per sub-folder (id = folder name), LMS names read."""
    return discover(folder).submissions
