"""Compare two runs' results.json, ignoring what differs from run to run by nature.

Usage: ``python benchmarks/compare_results.py BEFORE/results.json AFTER/results.json``
(or two output folders). Exit status 0 when equal, 1 with the differences listed.

Ignored: times (``seconds``, ``*_at``, ``duration``), the submissions folder's path,
whether a result came from the store (``cached``), and the accuracy on the grader's
transformed copy of the test set, which draws its images from a fresh random seed on
every run (grader/inspect/evaluate.py: TRANSFORMED).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

IGNORED = {"seconds", "duration", "submissions_dir", "cached", "transformed_accuracy",
           "transformed_clean_accuracy", "started", "finished", "generated"}


def ignored(key: str) -> bool:
    return key in IGNORED or key.endswith("_at")


def differences(before: Any, after: Any, path: str = "") -> Iterator[str]:
    """One line per value that differs, named by its path (``submissions[3].checks[10].score``)."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if ignored(key):
                continue
            where = f"{path}.{key}" if path else key
            if key not in before or key not in after:
                yield f"{where}: only in {'after' if key not in before else 'before'}"
            else:
                yield from differences(before[key], after[key], where)
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            yield f"{path}: {len(before)} items before, {len(after)} after"
        for n, (a, b) in enumerate(zip(before, after)):
            yield from differences(a, b, f"{path}[{n}]")
    elif before != after:
        yield f"{path}: {before!r:.200} -> {after!r:.200}"


def _load(path: Path) -> dict:
    path = path / "results.json" if path.is_dir() else path
    data = json.loads(path.read_text(encoding="utf-8"))
    # submissions in a stable order, whatever order the workers finished in
    data["submissions"] = sorted(data.get("submissions", []), key=lambda s: s.get("id", ""))
    return data


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    found = list(differences(_load(Path(argv[0])), _load(Path(argv[1]))))
    for line in found:
        print(line)
    print("equal" if not found else f"{len(found)} difference(s)")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
