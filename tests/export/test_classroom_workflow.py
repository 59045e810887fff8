"""docs/github-classroom.yml: the reporter reads the output the grader step writes, and the command parses."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from grader.cli import build_parser
from grader.export.classroom import OUTPUT_NAME

WORKFLOW = Path(__file__).resolve().parents[2] / "docs" / "github-classroom.yml"


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def test_the_reporter_reads_the_grader_steps_result():
    grading = next(s for s in steps() if "grader check" in s.get("run", ""))
    reporter = next(s for s in steps() if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter"))
    runner = reporter["with"]["runners"]
    assert runner == grading["id"] and runner.isalnum()  # the reporter accepts [a-zA-Z0-9]+ ids only
    assert reporter["env"] == {f"{runner.upper()}_RESULTS": f"${{{{ steps.{runner}.outputs.{OUTPUT_NAME} }}}}"}
    assert reporter["if"] == "always()"


def test_the_grading_command_is_one_the_grader_accepts():
    grading = next(s for s in steps() if "grader check" in s.get("run", ""))
    argv = shlex.split(grading["run"].replace("$NOTEBOOK", "aluno.ipynb").replace("~", "/home/runner"))
    args = build_parser().parse_args(argv[1:])
    assert args.command == "check" and args.classroom and args.kit == Path("kit")
    assert args.junit == Path("grader-junit.xml")
