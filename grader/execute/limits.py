"""Apply resource limits to the current process, then become the kernel.

Usage: ``python limits.py --cpu S --memory BYTES --fsize BYTES --nproc N
[--cgroup DIR ...] -- KERNEL ARGV...``

Runs as the kernel's first process (inside bubblewrap when available). It must not
import the grader: it is executed by path, possibly in a sandbox where the grader's
sources are not visible. Limits are inherited by everything the kernel starts.
"""

import argparse
import os
import resource
import sys


def _set(limit: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit to ``soft`` (and ``hard``, default the same), never raising it."""
    hard = soft if hard is None else hard
    current = resource.getrlimit(limit)[1]
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(limit, (soft, hard))


def _join_cgroups(folders: list[str]) -> None:
    for folder in folders:
        try:
            with open(os.path.join(folder, "cgroup.procs"), "w") as handle:
                handle.write(str(os.getpid()))
        except OSError as exc:  # the grader checked them; report and go on with rlimits
            print(f"grader-limits: cannot join cgroup {folder}: {exc}", file=sys.stderr)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu", type=int, required=True, help="CPU seconds")
    parser.add_argument("--memory", type=int, required=True, help="address space, bytes")
    parser.add_argument("--fsize", type=int, required=True, help="largest file the kernel may write, bytes")
    parser.add_argument("--nproc", type=int, required=True, help="processes of this user")
    parser.add_argument("--cgroup", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no kernel command after --")
    _join_cgroups(args.cgroup)
    _set(resource.RLIMIT_CPU, args.cpu, args.cpu + 5)  # SIGXCPU first, SIGKILL 5 s later
    _set(resource.RLIMIT_AS, args.memory)
    _set(resource.RLIMIT_FSIZE, args.fsize)
    _set(resource.RLIMIT_NPROC, args.nproc)  # not enforced for root: cgroups cover that case
    _set(resource.RLIMIT_CORE, 0)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
