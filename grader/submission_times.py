"""When each submission was handed in: the file the late policy reads for ``grader run`` on a folder.

A file's modification time says when it was last copied or unzipped, not when the student
handed it in, so it is never used. The times come from the LMS (Gradescope's
``submission_metadata.json``) or from a file the instructor keeps next to the submissions:

``submitted.toml``::

    [submitted]
    ana-souza = 2026-03-10T23:40:00-03:00        # a TOML date-time with its zone
    bruno = "2026-03-11T09:15:00Z"               # or an ISO 8601 string

``submitted.csv``: a header ``id,submitted`` and one row per submission (ISO 8601 times).
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from grader.decisions import decisions_path
from grader.errors import UsageError

TIMES_NAMES = ("submitted.toml", "submitted.csv")  # looked for in the submissions folder, in this order
CSV_COLUMNS = ("id", "submitted")


def submission_times_path(submissions_dir: str | Path | None, explicit: Path | None = None) -> Path | None:
    """``explicit``, else the first of ``submitted.toml`` / ``submitted.csv`` where ``decisions.toml`` is looked for."""
    if explicit is not None:
        return Path(explicit)
    beside = decisions_path(submissions_dir)
    if beside is None:
        return None
    return next((beside.parent / name for name in TIMES_NAMES if (beside.parent / name).is_file()), None)


def _invalid(path: Path, where: str, detail: str) -> UsageError:
    return UsageError(f"{path}: {where}: {detail}", "usage.times_invalid", file=str(path), where=where, detail=detail)


def _time(value: Any, path: Path, where: str) -> dt.datetime:
    if isinstance(value, dict):  # ana.souza = … is a dotted key in TOML: a table "ana" holding "souza"
        raise _invalid(path, where, 'an id with a dot must be quoted: "ana.souza" = 2026-03-10T23:40:00-03:00')
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise _invalid(path, where, f"{value!r} is not an ISO 8601 date-time "
                                        "(e.g. 2026-03-10T23:40:00-03:00)") from None
    if not isinstance(value, dt.datetime):
        raise _invalid(path, where, f"{value!r} is not a date and time")
    if value.tzinfo is None:
        raise _invalid(path, where, f"{value.isoformat()} has no time zone (add -03:00 or Z)")
    return value


def _read_toml(path: Path, text: str) -> dict[str, dt.datetime]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(path, "TOML", str(exc)) from None
    table = data.get("submitted")
    if not isinstance(table, dict) or set(data) - {"submitted"}:
        raise _invalid(path, "[submitted]", "the file holds one table [submitted] of id = date-time")
    return {str(sub_id): _time(value, path, f"[submitted] {sub_id}") for sub_id, value in table.items()}


def _read_csv(path: Path, text: str) -> dict[str, dt.datetime]:
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise _invalid(path, "header", f"needs the columns {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})")
    times = {}
    for row in reader:
        sub_id = (row["id"] or "").strip()
        if sub_id:
            times[sub_id] = _time(row["submitted"] or "", path, f"line {reader.line_num}")
    return times


def load_submission_times(path: Path | None) -> dict[str, dt.datetime]:
    """Submission id -> when it was handed in (aware); ``{}`` when there is no file."""
    if path is None:
        return {}
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's CSV may start with a BOM
    except FileNotFoundError:
        raise UsageError(f"submission times file '{path}' not found", "usage.times_missing", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _invalid(path, "read", str(exc)) from None
    return _read_csv(path, text) if path.suffix.lower() == ".csv" else _read_toml(path, text)
