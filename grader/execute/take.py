"""Take a harvest out of the kernel's reach: the one place the grader touches a kernel's files.

Everything a kernel leaves in its exports folder is hostile data. Before anything reads
it, :func:`take_harvest` copies it, member by member, into a folder of the grader's own
(in the spirit of :pep:`706`'s ``tarfile.data_filter``):

* only regular files and folders, opened without following links (``O_NOFOLLOW``,
  relative to an already-open folder), never a link, device, FIFO or socket;
* only the names the harness writes (``manifest.json``, ``harvest-error.txt``, ``calls.json``)
  and, in a ``model<N>/`` folder, those an inspector's harvest writes (its
  :attr:`HarvestLimits.model_files`: a Keras model's configuration and weights, a PyTorch
  module's description and ``state_dict``);
* sizes capped per file, per model and per submission, models capped per harvest;
* the manifest parsed once, bounded in size and depth, and every model entry's ``dir``
  checked to be one of the model folders just taken (listed once).

A harvest that breaks a rule is not an error of the grader: the taken copy holds what
passed, and :class:`Taken` names the broken rule (``tampering``), which makes that
section's model checks fail as tampering. Nothing downstream opens a path the kernel named.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
HARVEST_ERROR = "harvest-error.txt"
CALLS = "calls.json"
MODEL_DIR = re.compile(r"model[0-9]{1,6}")
FRAMEWORK = re.compile(r"[a-z][a-z0-9_]{0,19}")  # the inspector an entry names (a registered framework's name)
MAX_ERROR_CHARS = 2000  # of harvest-error.txt: what the harness writes is one exception line
MAX_MANIFEST_DEPTH = 64
READ_CHUNK = 1 << 20


class HarvestRuleBroken(Exception):
    """One rule of the take step was broken; the message says which, in plain English."""


@dataclass(frozen=True)
class HarvestLimits:
    """Caps on what one kernel may hand over (bytes, counts)."""

    max_file_bytes: int = 256 * 2**20
    max_model_bytes: int = 272 * 2**20
    max_submission_bytes: int = 1024 * 2**20
    max_models: int = 200  # per harvest (one section)
    max_manifest_bytes: int = 32 * 2**20
    max_manifest_depth: int = MAX_MANIFEST_DEPTH
    # the names a model folder may hold, as the inspectors declare them (grader.execute.KernelCode);
    # the descriptions among them are JSON the inspectors parse: capped like a manifest
    model_files: frozenset[str] = frozenset()
    description_files: frozenset[str] = frozenset()

    @classmethod
    def for_params(cls, max_export_params: int, model_files=(), description_files=()) -> "HarvestLimits":
        """Caps that fit the largest model the harness exports with its weights (float64 at worst)."""
        weights = 8 * int(max_export_params) + 16 * 2**20  # HDF5's own structure on top
        return cls(max_file_bytes=weights, max_model_bytes=weights + 16 * 2**20,
                   max_submission_bytes=max(1024 * 2**20, 4 * weights), model_files=frozenset(model_files),
                   description_files=frozenset(description_files))


@dataclass
class Budget:
    """Bytes one submission has handed over so far, across its harvests."""

    limits: HarvestLimits
    used: int = 0


@dataclass(frozen=True)
class Taken:
    """What a harvest handed over: the grader's own copy, and the first rule it broke."""

    folder: Path
    manifest: dict[str, Any] | None = None
    error_text: str | None = None  # the harness's own failure (harvest-error.txt), bounded
    tampering: str | None = None
    files: tuple[str, ...] = field(default_factory=tuple)
    found: bool = True  # False: the harvest wrote no folder at all (it did not run)


def _open_dir(name: str, dir_fd: int | None) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise HarvestRuleBroken(f"'{name}' is not a plain folder") from None
        raise


def _kind(name: str, dir_fd: int) -> str:
    mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    return "link" if stat.S_ISLNK(mode) else "special"


def _copy_file(name: str, dir_fd: int, target: Path, cap: int, budget: Budget, truncate: bool = False) -> int:
    """Copy one regular file (never through a link) into ``target``, within ``cap`` and the budget.

    ``truncate``: a larger file is cut at ``cap`` instead of breaking a rule.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise HarvestRuleBroken(f"'{name}' is a link") from None
        raise HarvestRuleBroken(f"'{name}' cannot be read ({errno.errorcode.get(exc.errno, exc.errno)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between the look and the open
            raise HarvestRuleBroken(f"'{name}' is not a regular file")
        if info.st_size > cap and not truncate:
            raise HarvestRuleBroken(f"'{name}' is larger than {cap} bytes")
        copied = 0
        with open(target, "wb") as out:
            while True:
                chunk = os.read(fd, min(READ_CHUNK, cap + 1 - copied))
                if not chunk:
                    break
                if copied + len(chunk) > cap:  # it grew while being read, or is cut here
                    if truncate:
                        chunk = chunk[:cap - copied]
                    else:
                        raise HarvestRuleBroken(f"'{name}' is larger than {cap} bytes")
                copied += len(chunk)
                if budget.used + copied > budget.limits.max_submission_bytes:
                    raise HarvestRuleBroken("the exports of this notebook exceed the size allowed for a submission")
                out.write(chunk)
                if copied >= cap and truncate:
                    break
        budget.used += copied
        return copied
    finally:
        os.close(fd)


def _take_model(name: str, dir_fd: int, target: Path, budget: Budget) -> list[str]:
    limits = budget.limits
    fd = _open_dir(name, dir_fd)
    taken, total = [], 0
    try:
        target.mkdir()
        for member in sorted(os.listdir(fd)):
            if member not in limits.model_files:
                raise HarvestRuleBroken(f"unexpected '{name}/{member}' in the exports")
            if _kind(member, fd) != "file":
                raise HarvestRuleBroken(f"'{name}/{member}' is not a regular file")
            cap = min(limits.max_file_bytes, limits.max_model_bytes - total)
            if member in limits.description_files:
                cap = min(cap, limits.max_manifest_bytes)
            total += _copy_file(member, fd, target / member, cap, budget)
            taken.append(f"{name}/{member}")
    finally:
        os.close(fd)
    return taken


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
    return deepest


def parse_manifest(blob: bytes, limits: HarvestLimits) -> dict[str, Any]:
    """The manifest's JSON object, or HarvestRuleBroken (too large, too deep, not JSON, not an object)."""
    if len(blob) > limits.max_manifest_bytes:
        raise HarvestRuleBroken("the manifest is too large")
    try:
        data = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise HarvestRuleBroken("the manifest is not valid JSON (or is nested too deeply)") from None
    if not isinstance(data, dict):
        raise HarvestRuleBroken("the manifest is not a JSON object")
    if _depth(data) > limits.max_manifest_depth:
        raise HarvestRuleBroken("the manifest is nested too deeply")
    return data


def _check_models(manifest: dict[str, Any], taken_dirs: set[str], limits: HarvestLimits) -> dict[str, Any]:
    """The manifest with every model entry pointing at a folder just taken, once; or HarvestRuleBroken."""
    entries = manifest.get("models", [])
    if not isinstance(entries, list):
        raise HarvestRuleBroken("the manifest's model list is not a list")
    if len(entries) > limits.max_models:
        raise HarvestRuleBroken(f"the manifest lists more than {limits.max_models} models")
    named: set[str] = set()
    clean = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise HarvestRuleBroken("a model entry of the manifest is not an object")
        folder = entry.get("dir")
        if not isinstance(folder, str) or not MODEL_DIR.fullmatch(folder):
            raise HarvestRuleBroken("a model entry names a folder outside the exports")
        if folder in named:
            raise HarvestRuleBroken(f"the manifest lists '{folder}' more than once")
        named.add(folder)
        if folder not in taken_dirs and not entry.get("error"):
            raise HarvestRuleBroken(f"the manifest names '{folder}', which was not exported")
        clean.append(_clean_entry(entry))
    return {**manifest, "models": clean}


def _text(value: Any, limit: int = 300) -> str:
    return str(value)[:limit]


def _clean_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A model entry with each field the inspector reads in its type, bounded."""
    names = entry.get("names")
    not_plain = entry.get("constructor_not_plain")
    count = entry.get("execution_count")
    order = entry.get("order")
    error = entry.get("error")
    framework = entry.get("framework")  # None: the inspectors' default framework
    return {
        "dir": entry["dir"],
        "framework": (framework if isinstance(framework, str) and FRAMEWORK.fullmatch(framework)
                      else None if framework is None else "unknown"),
        "names": [_text(n, 200) for n in names[:50]] if isinstance(names, list) else [],
        "api": _text(entry.get("api", "unknown"), 40),
        "class": _text(entry.get("class", ""), 200),
        "reconstructed": entry.get("reconstructed") is True,
        "has_weights": entry.get("has_weights") is True,
        "judge": entry.get("judge") is True,
        "error": _text(error, 2000) if error else None,
        "order": order if isinstance(order, int) and not isinstance(order, bool) and 0 <= order < 10**9 else 0,
        "execution_count": count if isinstance(count, int) and not isinstance(count, bool) else None,
        # constructor arguments of a notebook's class that are not plain values (the harness names them)
        "constructor_not_plain": [_text(a, 100) for a in not_plain[:20]] if isinstance(not_plain, list) else None,
    }


def _read_error(path: Path) -> str:
    with open(path, "rb") as handle:
        return handle.read(4 * MAX_ERROR_CHARS).decode("utf-8", errors="replace")[:MAX_ERROR_CHARS]


def take_harvest(source: Path, target: Path, budget: Budget, *, expect: str = MANIFEST) -> Taken:
    """Copy the harvest folder ``source`` (kernel-writable) into ``target`` (the grader's own).

    ``expect``: the file that makes a harvest (``manifest.json``; ``calls.json`` for a function
    call). A missing ``source`` gives an empty Taken with no manifest. Never raises for what the
    kernel left; ``OSError`` of the grader's own folder (``target``) still does.
    """
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    files: list[str] = []
    taken_dirs: set[str] = set()
    try:
        parent_fd = _open_dir(str(source.parent), None)
    except (FileNotFoundError, HarvestRuleBroken):
        return Taken(target, tampering="the exports folder was replaced")
    try:
        try:
            fd = _open_dir(source.name, parent_fd)
        except FileNotFoundError:
            return Taken(target, found=False)
        try:
            for name in sorted(os.listdir(fd)):
                kind = _kind(name, fd)
                if kind == "dir" and expect == MANIFEST and MODEL_DIR.fullmatch(name):
                    files += _take_model(name, fd, target / name, budget)
                    taken_dirs.add(name)
                elif kind == "file" and name == expect:
                    _copy_file(name, fd, target / name, budget.limits.max_manifest_bytes, budget)
                    files.append(name)
                elif kind == "file" and name == HARVEST_ERROR:  # one exception line: a long one is cut
                    _copy_file(name, fd, target / name, 4 * MAX_ERROR_CHARS, budget, truncate=True)
                    files.append(name)
                else:
                    raise HarvestRuleBroken(f"unexpected {kind} '{name}' in the exports")
        finally:
            os.close(fd)
    except HarvestRuleBroken as broken:
        return _finish(target, files, taken_dirs, budget, expect, str(broken))
    except OSError as exc:  # the kernel removed or changed a member while it was being taken
        return _finish(target, files, taken_dirs, budget, expect,
                       f"the exports changed while they were taken ({type(exc).__name__})")
    finally:
        os.close(parent_fd)
    return _finish(target, files, taken_dirs, budget, expect, None)


def _finish(target: Path, files: list[str], taken_dirs: set[str], budget: Budget, expect: str,
            tampering: str | None) -> Taken:
    error_text = _read_error(target / HARVEST_ERROR) if HARVEST_ERROR in files else None
    manifest = None
    if tampering is None and expect in files:
        try:
            manifest = parse_manifest((target / expect).read_bytes(), budget.limits)
            if expect == MANIFEST:
                manifest = _check_models(manifest, taken_dirs, budget.limits)
        except HarvestRuleBroken as broken:
            tampering, manifest = str(broken), None
    if tampering is not None:  # nothing of a broken harvest is read: keep no file a reader could open
        for name in os.listdir(target):
            path = target / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        return Taken(target, None, error_text, tampering, ())
    return Taken(target, manifest, error_text, None, tuple(files))
