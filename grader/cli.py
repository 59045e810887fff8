"""Command line: parses arguments and calls one function per command; no logic here.

Every message, argparse's own included, is in the language of ``--lang`` (pt-BR unless
``--lang en``); a user's mistake is one line and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import functools

from grader import console
from grader.messages import Catalogue, load_catalogue
from grader.version import __version__
from grader.distributed import DEFAULT_CONNECT_TIMEOUT
from grader.errors import INTERRUPTED_EXIT, ExitCode, GraderError, RunInterrupted, UsageError

LANGS = ["pt", "en"]
# argparse's English messages -> catalogue keys (cli.argparse.*), most specific first
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (?P<args>.+)"), "required"),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"),
     "invalid_choice"),
    (re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"), "invalid_command"),
    (re.compile(r"argument (?P<arg>\S+): invalid \S+ value: (?P<value>.+)"), "invalid_value"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), "unrecognized"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "expected_one"),
    (re.compile(r"argument (?P<arg>\S+): expected .+ arguments?"), "expected_some"),
    (re.compile(r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)"), "not_allowed"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)"), "ambiguous"),
)


class _ArgumentsRejected(Exception):
    """argparse refused the command line; the message is already printed."""


class _Formatter(argparse.HelpFormatter):
    def __init__(self, *args, usage_prefix: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.usage_prefix = usage_prefix

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, self.usage_prefix + " " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking the user's language (``catalogue``'s): translated errors and headings, exit code 2."""

    def __init__(self, *args, catalogue: Catalogue, **kwargs) -> None:
        self.catalogue = catalogue
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", functools.partial(_Formatter, usage_prefix=catalogue("cli.common.usage")))
        super().__init__(*args, **kwargs)
        self._positionals.title = catalogue("cli.help.positionals")
        self._optionals.title = catalogue("cli.help.options")
        self.add_argument("-h", "--help", action="help", help=catalogue("cli.help.help"))

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", functools.partial(_Parser, catalogue=self.catalogue))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> None:
        console.err(self.format_usage().rstrip())
        console.err(self.catalogue("cli.common.error", message=translate_argparse(message, self.catalogue)))
        raise _ArgumentsRejected(message)


def translate_argparse(message: str, catalogue: Catalogue) -> str:
    """argparse's English error ``message`` in ``catalogue``'s language (unchanged when unknown)."""
    for pattern, key in _ARGPARSE_MESSAGES:
        found = pattern.fullmatch(message.strip())
        if found:
            return catalogue(f"cli.argparse.{key}", **found.groupdict())
    return message


def _common(parser: argparse.ArgumentParser, h: Catalogue, assignment_required: bool = True) -> None:
    parser.add_argument("--assignment", "-a", required=assignment_required, help=h("cli.help.assignment"))
    parser.add_argument("--lang", default="pt", choices=LANGS, help=h("cli.help.lang"))
    parser.add_argument("--cell-timeout", type=float, default=None, help=h("cli.help.cell_timeout"))
    parser.add_argument("--data-dir", type=Path, default=None, help=h("cli.help.data_dir"))
    parser.add_argument("--cifar10-dir", type=Path, default=None, help=h("cli.help.cifar10_dir"))
    parser.add_argument("--store", type=Path, default=None, help=h("cli.help.store"))
    parser.add_argument("--no-store", action="store_true", help=h("cli.help.no_store"))
    parser.add_argument("--force", action="store_true", help=h("cli.help.force"))
    parser.add_argument("--isolation", choices=["auto", "strict", "none"], default="auto", help=h("cli.help.isolation"))


def _review_parser(commands, h: Catalogue) -> None:
    review = commands.add_parser("review", help=h("cli.help.review"), description=h("cli.help.review"))
    review.add_argument("out", type=Path, metavar="OUT", help=h("cli.help.review_out"))
    review.add_argument("--decide", nargs="+", metavar="ITEM", help=h("cli.help.decide"))
    review.add_argument("--withdraw", nargs="+", metavar="ITEM", help=h("cli.help.withdraw"))
    review.add_argument("--points", default=None, metavar="P", help=h("cli.help.points"))
    review.add_argument("--comment", default=None, help=h("cli.help.comment"))
    review.add_argument("--by", default=None, metavar="NAME", help=h("cli.help.by"))
    review.add_argument("--all", action="store_true", dest="show_all", help=h("cli.help.all"))
    review.add_argument("--decisions", type=Path, default=None, metavar="FILE", help=h("cli.help.decisions"))
    review.add_argument("--lang", default=None, choices=LANGS, help=h("cli.help.report_lang"))
    report = commands.add_parser("report", help=h("cli.help.report"), description=h("cli.help.report"))
    report.add_argument("out", type=Path, metavar="OUT", help=h("cli.help.review_out"))
    report.add_argument("--lang", default=None, choices=LANGS, help=h("cli.help.report_lang"))
    report.add_argument("--decisions", type=Path, default=None, metavar="FILE", help=h("cli.help.decisions"))
    similarity = commands.add_parser("similarity", help=h("cli.help.similarity"), description=h("cli.help.similarity"))
    similarity.add_argument("out", type=Path, metavar="OUT", help=h("cli.help.review_out"))
    similarity.add_argument("--lang", default=None, choices=LANGS, help=h("cli.help.report_lang"))
    report.add_argument("--submitted", type=Path, default=None, metavar="FILE", help=h("cli.help.submitted"))


def _kit_parser(commands, h: Catalogue) -> None:
    kit = commands.add_parser("kit", help=h("cli.kit.help.command"), description=h("cli.kit.help.command"))
    verbs = kit.add_subparsers(dest="kit_command", required=True, metavar="VERB")
    build = verbs.add_parser("build", help=h("cli.kit.help.build"), description=h("cli.kit.help.build"))
    build.add_argument("--out", "-o", type=Path, required=True, metavar="DIR", help=h("cli.kit.help.out"))
    _common(build, h)


def _gradescope_parser(commands, h: Catalogue) -> None:
    gradescope = commands.add_parser("gradescope", help=h("cli.gradescope.help.command"),
                                     description=h("cli.gradescope.help.command"))
    verbs = gradescope.add_subparsers(dest="gradescope_command", required=True, metavar="COMMAND")
    build = verbs.add_parser("build", help=h("cli.gradescope.help.build"), description=h("cli.gradescope.help.build"))
    build.add_argument("--assignment", "-a", required=True, help=h("cli.help.assignment"))
    build.add_argument("--out", "-o", type=Path, required=True, metavar="ZIP", help=h("cli.gradescope.help.out"))
    build.add_argument("--data-dir", type=Path, default=None, help=h("cli.help.data_dir"))
    build.add_argument("--lang", default="pt", choices=LANGS, help=h("cli.gradescope.help.lang"))
    build.add_argument("--no-leaderboard", action="store_true", help=h("cli.gradescope.help.no_leaderboard"))


def build_parser(h: Catalogue | None = None) -> argparse.ArgumentParser:
    """The command line's parser, every help text and error in ``h``'s language (pt-BR by default)."""
    h = h or load_catalogue("pt")
    parser = _Parser(prog="grader", description=h("cli.help.description"), catalogue=h)
    parser.add_argument("--version", action="version", version=f"grader {__version__}", help=h("cli.help.version"))
    parser.add_argument("--assignments-dir", type=Path, default=None, help=h("cli.help.assignments_dir"))
    parser.add_argument("-v", "--verbose", action="store_true", help=h("cli.help.verbose"))
    commands = parser.add_subparsers(dest="command", required=True, title=h("cli.help.commands"), metavar="COMMAND")

    run = commands.add_parser("run", help=h("cli.help.run"), description=h("cli.help.run"))
    run.add_argument("submissions", type=Path, help=h("cli.help.submissions"))
    run.add_argument("--out", "-o", type=Path, required=True, help=h("cli.help.out"))
    run.add_argument("--jobs", "-j", type=int, default=None, help=h("cli.help.jobs"))
    run.add_argument("--scheduler", default=None, metavar="ADDRESS", help=h("cli.help.scheduler"))
    run.add_argument("--scheduler-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT, metavar="SECONDS",
                     help=h("cli.help.scheduler_timeout"))
    run.add_argument("--no-similarity", action="store_true", help=h("cli.help.no_similarity"))
    run.add_argument("--decisions", type=Path, default=None, metavar="FILE", help=h("cli.help.decisions"))
    run.add_argument("--submitted", type=Path, default=None, metavar="FILE", help=h("cli.help.submitted"))
    _common(run, h)

    check = commands.add_parser("check", help=h("cli.help.check"), description=h("cli.help.check"))
    check.add_argument("notebook", type=Path, help=h("cli.help.notebook"))
    check.add_argument("--out", "-o", type=Path, default=None, help=h("cli.help.check_out"))
    check.add_argument("--kit", type=Path, default=None, metavar="DIR", help=h("cli.kit.help.kit"))
    check.add_argument("--junit", type=Path, default=None, metavar="FILE", help=h("cli.help.junit"))
    check.add_argument("--classroom", action="store_true", help=h("cli.help.classroom"))
    _common(check, h, assignment_required=False)
    _kit_parser(commands, h)

    listing = commands.add_parser("assignments", help=h("cli.help.list"), description=h("cli.help.list"))
    listing.add_argument("--lang", default="pt", choices=LANGS, help=h("cli.help.lang"))
    assign = commands.add_parser("assign", help=h("cli.assign.help.command"), description=h("cli.assign.help.command"))
    assign.add_argument("master", type=Path, metavar="MASTER", help=h("cli.assign.help.master"))
    assign.add_argument("--out", "-o", type=Path, required=True, metavar="DIR", help=h("cli.assign.help.out"))
    assign.add_argument("--id", default=None, dest="assignment_id", metavar="ID", help=h("cli.assign.help.id"))
    assign.add_argument("--reference", type=Path, default=None, metavar="PATH", help=h("cli.assign.help.reference"))
    assign.add_argument("--force", action="store_true", help=h("cli.assign.help.force"))
    assign.add_argument("--lang", default="pt", choices=LANGS, help=h("cli.help.lang"))
    _review_parser(commands, h)
    _gradescope_parser(commands, h)
    _export_parser(commands, h)
    _serve_parser(commands, h)
    return parser


def _serve_parser(commands, h: Catalogue) -> None:
    serve = commands.add_parser("serve", help=h("cli.help.serve"), description=h("cli.help.serve"))
    serve.add_argument("course", metavar="COURSE", help=h("cli.help.serve_course"))
    serve.add_argument("links_course", nargs="?", type=Path, default=None, metavar="COURSE",
                       help=h("cli.help.serve_links"))
    serve.add_argument("--host", default="127.0.0.1", help=h("cli.help.serve_host"))
    serve.add_argument("--port", type=int, default=8000, help=h("cli.help.serve_port"))
    serve.add_argument("--roster", type=Path, default=None, metavar="FILE", help=h("cli.help.serve_roster"))
    serve.add_argument("--base-url", default=None, metavar="URL", help=h("cli.help.serve_base_url"))
    serve.add_argument("--data-dir", type=Path, default=None, help=h("cli.help.data_dir"))
    serve.add_argument("--cifar10-dir", type=Path, default=None, help=h("cli.help.cifar10_dir"))
    serve.add_argument("--cell-timeout", type=float, default=None, help=h("cli.help.cell_timeout"))
    serve.add_argument("--isolation", choices=["auto", "strict", "none"], default="auto", help=h("cli.help.isolation"))
    serve.add_argument("--lang", default="pt", choices=LANGS, help=h("cli.help.lang"))


def _export_parser(commands, h: Catalogue) -> None:
    from grader.export import available_exporters

    export = commands.add_parser("export", help=h("cli.help.export"), description=h("cli.help.export"))
    export.add_argument("out", type=Path, metavar="OUT", help=h("cli.help.export_out"))
    export.add_argument("--format", "-f", required=True, choices=sorted(available_exporters()), help=h("cli.help.format"))
    export.add_argument("--output", "-o", type=Path, default=None, metavar="FILE", help=h("cli.help.output"))
    export.add_argument("--roster", type=Path, default=None, metavar="FILE", help=h("cli.help.roster"))
    export.add_argument("--column", default=None, metavar="NAME", help=h("cli.help.column"))
    export.add_argument("--lang", default=None, choices=LANGS, help=h("cli.help.export_lang"))


def _language_asked(argv: list[str]) -> str:
    """The ``--lang`` of the command line, read before argparse so that its errors speak it too."""
    for n, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[n + 1] if arg == "--lang" and n + 1 < len(argv) else None)
        if value in LANGS:
            return value
    return "pt"


def _dispatch(args: argparse.Namespace) -> int:
    env = os.environ
    assignments_dir = args.assignments_dir or (Path(env["GRADER_ASSIGNMENTS"]) if env.get("GRADER_ASSIGNMENTS") else None)
    if args.command == "assignments":
        from grader.listing import list_assignments

        return list_assignments(assignments_dir=assignments_dir, lang=args.lang)
    if args.command == "assign":
        from grader.assign import assign, print_summary

        print_summary(assign(master=args.master, out=args.out, force=args.force, assignment_id=args.assignment_id,
                             reference=args.reference), load_catalogue(args.lang))
        return ExitCode.OK
    if args.command == "gradescope":
        from grader.gradescope.build import build_command

        data_dir = args.data_dir or (Path(env["GRADER_DATA_DIR"]) if env.get("GRADER_DATA_DIR") else None)
        return build_command(assignment=args.assignment, out=args.out, assignments_dir=assignments_dir,
                             data_dir=data_dir, lang=args.lang, leaderboard=not args.no_leaderboard)
    if args.command == "review":
        from grader.review import review

        return review(out=args.out, decide=args.decide, withdraw=args.withdraw, points=args.points,
                      comment=args.comment, by=args.by, show_all=args.show_all, decisions=args.decisions,
                      lang=args.lang)
    if args.command == "similarity":
        from grader.recompare import similarity

        return similarity(out=args.out, lang=args.lang).exit_code
    if args.command == "export":
        from grader.export.command import export

        return export(out=args.out, format=args.format, output=args.output, roster=args.roster, column=args.column,
                      lang=args.lang).exit_code
    if args.command == "serve":
        return _serve(args, env)
    if args.command == "report":
        from grader.rerender import report

        return report(out=args.out, lang=args.lang, decisions=args.decisions, submitted=args.submitted).exit_code
    data_dir = args.data_dir or (Path(env["GRADER_DATA_DIR"]) if env.get("GRADER_DATA_DIR") else None)
    common = dict(assignment=args.assignment, lang=args.lang, cell_timeout=args.cell_timeout, data_dir=data_dir,
                  cifar10_dir=_cifar10_dir(args, env), store=args.store, no_store=args.no_store, assignments_dir=assignments_dir, isolation=args.isolation,
                  force=args.force)
    if args.command == "run":
        from grader.run import run

        summary = run(submissions=args.submissions, out=args.out, jobs=args.jobs, scheduler=args.scheduler,
                      similarity=not args.no_similarity,
                      scheduler_timeout=args.scheduler_timeout,
                      decisions=args.decisions, submitted=args.submitted, **common)
        console.print_run_summary(summary.results, summary.out, load_catalogue(args.lang), summary.log)
        return summary.exit_code
    if args.command == "kit":
        from grader.kit.build import build

        return build(out=args.out, **common).exit_code
    from grader.export.ci import classroom_errors, finish_check

    with classroom_errors(args.classroom, env.get("GITHUB_OUTPUT"), args.lang):
        summary = _self_check(args, common)
    return finish_check(summary, junit=args.junit, classroom=args.classroom, github_output=env.get("GITHUB_OUTPUT"),
                        lang=args.lang)


def _serve(args: argparse.Namespace, env) -> int:
    """``grader serve COURSE.toml``, or ``grader serve links COURSE.toml``."""
    from grader.serve.command import links, serve

    if args.course == "links":
        if args.links_course is None:
            raise UsageError("give the course file: grader serve links COURSE.toml", "usage.serve.links_course")
        return links(course=args.links_course, roster=args.roster, base_url=args.base_url)
    if args.links_course is not None:
        raise UsageError("grader serve takes one course file", "usage.serve.one_course")
    data_dir = args.data_dir or (Path(env["GRADER_DATA_DIR"]) if env.get("GRADER_DATA_DIR") else None)
    return serve(course=Path(args.course), host=args.host, port=args.port, data_dir=data_dir,
                 isolation=args.isolation, cell_timeout=args.cell_timeout, lang=args.lang,
                 cifar10_dir=_cifar10_dir(args, env))


def _cifar10_dir(args: argparse.Namespace, env) -> Path | None:
    """``--cifar10-dir``, else ``GRADER_CIFAR10_DIR``: the instructor's CIFAR-10 (none: CIFAR10 says so in the kernel)."""
    return args.cifar10_dir or (Path(env["GRADER_CIFAR10_DIR"]) if env.get("GRADER_CIFAR10_DIR") else None)


def _self_check(args: argparse.Namespace, common: dict):
    """``grader check`` with the kit or with the assignment."""
    if args.kit is not None:
        from grader.kit.check import check_with_kit

        common.pop("assignment"), common.pop("assignments_dir")
        return check_with_kit(notebook=args.notebook, kit=args.kit, out=args.out, **common)
    if args.assignment is None:
        raise UsageError("give --assignment ID or --kit DIR", "usage.kit.no_assignment")
    from grader.selfcheck import check

    return check(notebook=args.notebook, out=args.out, **common)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    catalogue = load_catalogue(_language_asked(argv))
    try:
        args = build_parser(catalogue).parse_args(argv)
    except _ArgumentsRejected:
        return ExitCode.USAGE
    console.setup_logging(args.verbose)
    try:
        return int(_dispatch(args))
    except UsageError as exc:
        console.err(catalogue("cli.common.error", message=exc.render(catalogue)))
        return ExitCode.USAGE
    except GraderError as exc:
        console.err(catalogue("cli.common.error", message=exc.render(catalogue)))
        return ExitCode.CONFIG
    except RunInterrupted as stopped:
        console.err(catalogue(stopped.message_key(), done=stopped.done, total=stopped.total))
        return INTERRUPTED_EXIT
    except KeyboardInterrupt:
        console.err(catalogue("cli.common.interrupted"))
        return INTERRUPTED_EXIT


if __name__ == "__main__":
    sys.exit(main())
