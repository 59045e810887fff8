"""Command line: parses arguments and calls one function per command; no logic here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from grader import __version__, console
from grader.errors import GraderError, UsageError
from grader.run import ExitCode


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--assignment", "-a", required=True, help="assignment id (see `grader assignments`) or folder")
    parser.add_argument("--lang", default="pt", choices=["pt", "en"], help="language of messages and reports")
    parser.add_argument("--cell-timeout", type=float, default=None, help="seconds per cell (overrides the spec)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the Fashion-MNIST .gz files (default: $GRADER_DATA_DIR or "
                             "/usr/share/datasets/fashion-mnist)")
    parser.add_argument("--store", type=Path, default=None,
                        help="SQLite store caching facts across runs (default: ~/.cache/grader/store.sqlite)")
    parser.add_argument("--no-store", action="store_true", help="execute everything again; do not use the store")
    parser.add_argument("--isolation", choices=["auto", "strict", "none"], default="auto",
                        help="strict: require bubblewrap (no network, private file system); auto: strict when "
                             "possible, otherwise degraded with a warning; none: resource limits only")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade deep-learning course notebooks.")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    parser.add_argument("--assignments-dir", type=Path, default=None,
                        help="folder of assignments (default: $GRADER_ASSIGNMENTS or the project's assignments/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the grader does")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="grade every notebook in a folder")
    run.add_argument("submissions", type=Path, help="folder of .ipynb files, or of one folder per student")
    run.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    run.add_argument("--jobs", "-j", type=int, default=1, help="notebooks graded in parallel")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="run the notebooks on a Dask cluster (e.g. tcp://host:8786) instead of local workers")
    _common(run)

    check = commands.add_parser("check", help="check one notebook before handing it in")
    check.add_argument("notebook", type=Path)
    check.add_argument("--out", "-o", type=Path, default=None, help="report folder (default: <notebook>-relatorio)")
    _common(check)

    commands.add_parser("assignments", help="list the assignments with their sections and points")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    env = os.environ
    assignments_dir = args.assignments_dir or (Path(env["GRADER_ASSIGNMENTS"]) if env.get("GRADER_ASSIGNMENTS") else None)
    if args.command == "assignments":
        from grader.listing import list_assignments

        return list_assignments(assignments_dir=assignments_dir)
    data_dir = args.data_dir or (Path(env["GRADER_DATA_DIR"]) if env.get("GRADER_DATA_DIR") else None)
    common = dict(assignment=args.assignment, lang=args.lang, cell_timeout=args.cell_timeout, data_dir=data_dir,
                  store=args.store, no_store=args.no_store, assignments_dir=assignments_dir, isolation=args.isolation)
    if args.command == "run":
        from grader.run import run

        summary = run(submissions=args.submissions, out=args.out, jobs=args.jobs, scheduler=args.scheduler, **common)
        from grader.messages import load_catalogue

        console.print_run_summary(summary.results, summary.out, load_catalogue(args.lang))
        return summary.exit_code
    from grader.selfcheck import check

    return check(notebook=args.notebook, out=args.out, **common).exit_code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        return int(_dispatch(args))
    except UsageError as exc:
        console.err(f"grader: error: {exc}")
        return ExitCode.USAGE
    except GraderError as exc:
        console.err(f"grader: error: {exc}")
        return ExitCode.CONFIG
    except KeyboardInterrupt:
        console.err("grader: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
