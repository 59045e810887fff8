"""All console output: messages, errors and progress bars (library code only logs)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, TypeVar

from tqdm import tqdm

if TYPE_CHECKING:
    from grader.messages import Catalogue
    from grader.results import RunResults

T = TypeVar("T")


def out(text: str = "") -> None:
    print(text, file=sys.stdout, flush=True)


def err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def progress(items: Iterable[T], *, total: int, label: str) -> Iterable[T]:
    """A progress bar on stderr; plain (no bar) when stderr is not a terminal."""
    return tqdm(items, total=total, desc=label, unit="nb", file=sys.stderr, disable=None, leave=True)


def print_run_summary(results: "RunResults", out_dir: Path, catalogue: "Catalogue") -> None:
    """The end of ``grader run``: counts, grader errors apart from the students', one line each."""
    subs = results.submissions
    errors = sum(1 for s in subs if s.status == "error")
    reviews = sum(s.count("review") for s in subs)
    grader_errors = sum(s.grader_errors for s in subs)
    out(catalogue("cli.run.done", count=len(subs), errors=errors, reviews=reviews))
    if grader_errors:
        out(catalogue("cli.run.grader_errors", count=grader_errors, index=str(out_dir / "index.html")))
    queued = sum(len(s.review) for s in subs)
    if queued:
        out(catalogue("cli.run.review_queue", count=queued, index=str(out_dir / "index.html")))
    if results.isolation:
        out(catalogue(f"cli.run.isolation_{results.isolation['level']}", reason=results.isolation.get("reason", "")))
    for sub in subs:
        notes = [f"{catalogue('cli.run.error')}: {sub.error}"] if sub.status == "error" else []
        if sub.grader_errors:
            notes.append(f"{catalogue('cli.run.grader_errors_note')}: {sub.grader_errors}")
        if sub.review:
            notes.append(f"{catalogue('cli.run.review_note')}: {len(sub.review)}")
        note = f"  ({'; '.join(notes)})" if notes else ""
        out(f"  {sub.id:<32} {catalogue.number(sub.score)} / {catalogue.number(sub.max_score)}{note}")
    out(catalogue("cli.run.outputs", index=str(out_dir / "index.html"), results=str(out_dir / "results.json"),
                  csv=str(out_dir / "grades.csv")))
