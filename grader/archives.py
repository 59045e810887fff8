"""Zip archives of submissions (an LMS's "download all"), extracted safely into a temporary folder.

Entries that would land outside the folder (absolute paths, ``..``, drive letters), links,
encrypted entries and files above the size limit are not extracted but listed as skipped;
an archive above the total size or entry count limit is refused as a whole. Sizes are
counted while writing, never trusted from the archive's headers (zip bombs lie).
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.discovery import TOO_LARGE, UNSAFE, SkippedFile
from grader.errors import UsageError

CHUNK = 1 << 20
ENCRYPTED = "encrypted"


@dataclass(frozen=True)
class ExtractionLimits:
    """What one archive may hold: entries, bytes per file, bytes in all (uncompressed)."""

    max_entries: int = 20_000
    max_file_bytes: int = 512 * 2**20
    max_total_bytes: int = 4 * 2**30


@dataclass(frozen=True)
class Extraction:
    folder: Path
    skipped: tuple[SkippedFile, ...] = ()


def is_archive(path: Path) -> bool:
    return Path(path).is_file() and Path(path).suffix.lower() == ".zip"


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """The entry's path parts, or ``None`` when it would escape the folder it is extracted into."""
    name = name.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (parts and ":" in parts[0]) or any(p in ("..", "") for p in parts):
        return None
    return tuple(p for p in parts if p != ".")


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A symbolic link (Unix mode bits in the high half of ``external_attr``): never followed nor written."""
    return stat.S_ISLNK(info.external_attr >> 16)


def _too_big(archive: Path, limits: ExtractionLimits) -> UsageError:
    return UsageError(f"'{archive}' holds more than {limits.max_total_bytes // 2**20} MB once extracted",
                      "usage.archive.too_large", archive=str(archive), mb=limits.max_total_bytes // 2**20)


def _copy_entry(source, target: Path, limit: int) -> int | None:
    """Copy at most ``limit`` bytes; ``None`` (and no file) when the entry holds more."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limit:
                break
            out.write(chunk)
    if written > limit:
        target.unlink()
        return None
    return written


def extract_zip(archive: Path, dest: Path, limits: ExtractionLimits = ExtractionLimits()) -> Extraction:
    """Extract ``archive`` into ``dest``: safe entries only, with their dates (which hand-in is later)."""
    archive, dest = Path(archive), Path(dest)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"'{archive}' is not a zip archive that can be read: {exc}", "usage.archive.not_zip",
                         archive=str(archive)) from None
    skipped, total = [], 0
    with zf:
        entries = zf.infolist()
        if len(entries) > limits.max_entries:
            raise UsageError(f"'{archive}' holds {len(entries)} entries, more than {limits.max_entries}",
                             "usage.archive.too_many", archive=str(archive), count=len(entries),
                             limit=limits.max_entries)
        for info in entries:
            parts = _safe_parts(info.filename)
            if parts is None or _is_link(info):
                skipped.append(SkippedFile(info.filename, UNSAFE))
                continue
            if not parts:
                continue
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            limit = min(limits.max_file_bytes, limits.max_total_bytes - total)
            try:
                with zf.open(info) as source:
                    written = _copy_entry(source, target, limit)
            except RuntimeError:  # a password-protected entry
                skipped.append(SkippedFile(info.filename, ENCRYPTED))
                continue
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise UsageError(f"'{archive}' is damaged at '{info.filename}': {exc}", "usage.archive.damaged",
                                 archive=str(archive), entry=info.filename) from None
            if written is None:
                if limit < limits.max_file_bytes:
                    raise _too_big(archive, limits)
                skipped.append(SkippedFile(info.filename, TOO_LARGE))
                continue
            total += written
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(target, (stamp, stamp))
    return Extraction(dest, tuple(skipped))


@dataclass(frozen=True)
class OpenedSubmissions:
    """The folder to discover submissions in; for a zip, a temporary one that :meth:`cleanup` removes.

    The temporary folder is also removed when this object is garbage collected (a run that
    failed half-way), as :class:`tempfile.TemporaryDirectory` does.
    """

    folder: Path
    skipped: tuple[SkippedFile, ...] = ()
    workspace: tempfile.TemporaryDirectory | None = None

    def cleanup(self) -> None:
        if self.workspace is not None:
            self.workspace.cleanup()


def open_submissions(path: Path, limits: ExtractionLimits = ExtractionLimits()) -> OpenedSubmissions:
    """``path`` itself, or, for a zip archive, a temporary folder holding its safe entries."""
    path = Path(path)
    if not is_archive(path):
        return OpenedSubmissions(path)
    workspace = tempfile.TemporaryDirectory(prefix="entregas-")
    try:
        extraction = extract_zip(path, Path(workspace.name), limits)
    except BaseException:
        workspace.cleanup()
        raise
    return OpenedSubmissions(extraction.folder, extraction.skipped, workspace)
