"""The command line of similar submissions, without a run: parsing and a folder that holds no run."""

from __future__ import annotations

from grader.cli import main

ASSIGNMENT = "relu-exercicios"


def test_run_takes_no_similarity_and_similarity_takes_out():
    from grader.cli import build_parser

    parsed = build_parser().parse_args(["run", "subs", "-a", ASSIGNMENT, "-o", "out", "--no-similarity"])
    assert parsed.no_similarity is True
    assert build_parser().parse_args(["run", "subs", "-a", ASSIGNMENT, "-o", "out"]).no_similarity is False
    parsed = build_parser().parse_args(["similarity", "out", "--lang", "en"])
    assert (parsed.command, str(parsed.out), parsed.lang) == ("similarity", "out", "en")


def test_grader_similarity_on_a_folder_without_a_run_is_one_line(tmp_path, capsys):
    assert main(["similarity", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "results.json" in err and "Traceback" not in err
