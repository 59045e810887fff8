"""The grades CSV: one row per submission, machine-readable numbers, UTF-8."""

from __future__ import annotations

import csv

import pytest

from grader.errors import UsageError
from grader.export import BUILTIN_EXPORTERS, Exporter, get_exporter, write_grades_csv
from grader.results import (
    AssignmentInfo,
    CheckResult,
    ExecutionSummary,
    RunResults,
    SectionInfo,
    SectionScore,
    SubmissionResult,
)

SHA = "a" * 64


def submission(sid: str, score: float, sections=(), checks=(), status="graded", error=None):
    return SubmissionResult(
        id=sid, path=f"{sid}.ipynb", sha256=SHA, status=status, score=score, max_score=20,
        sections=tuple(SectionScore(s, v, 10) for s, v in sections), checks=tuple(checks),
        execution=ExecutionSummary(1.0), error=error,
    )


def review(cid: str) -> CheckResult:
    return CheckResult(cid, "desafio-1", "answer_text", "review", 0, 2, "revisar")


@pytest.fixture
def results() -> RunResults:
    info = AssignmentInfo("cnn-pratica", "CNN prática", 20, (
        SectionInfo("desafio-1", "Desafio 1", 10), SectionInfo("desafio-2", "Desafio 2", 10),
    ))
    return RunResults("0.1.0", info, (
        submission("zeca", 0, status="error", error='notebook inválido: "cells", linha 3\nfim'),
        submission("joão", 13.75, [("desafio-1", 6.25), ("desafio-2", 7.5)], [review("a"), review("b")]),
        submission("ana", 20, [("desafio-1", 10), ("desafio-2", 10)]),
    ))


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_header_and_sorted_rows(results, tmp_path):
    path = tmp_path / "grades.csv"
    write_grades_csv(results, path)
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["id", "path", "status", "score", "max_score", "desafio-1", "desafio-2",
                      "review_count", "error", "grader_errors",
                      "submitted", "late_hours", "late_percent", "final_score"]
    assert [row["id"] for row in read(path)] == ["ana", "joão", "zeca"]


def test_values_round_trip(results, tmp_path):
    path = tmp_path / "grades.csv"
    write_grades_csv(results, path)
    rows = {row["id"]: row for row in read(path)}
    joao = rows["joão"]
    assert joao["path"] == "joão.ipynb" and joao["status"] == "graded"
    assert (joao["score"], joao["max_score"], joao["desafio-1"], joao["desafio-2"]) == ("13.75", "20", "6.25", "7.5")
    assert float(joao["score"]) == 13.75 and joao["review_count"] == "2" and joao["error"] == ""
    zeca = rows["zeca"]
    assert zeca["status"] == "error" and zeca["desafio-1"] == "" and zeca["score"] == "0"
    assert zeca["error"] == 'notebook inválido: "cells", linha 3\nfim'
    assert rows["ana"]["score"] == "20"


def test_file_is_utf8_without_bom(results, tmp_path):
    path = tmp_path / "grades.csv"
    write_grades_csv(results, path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and "joão".encode() in raw


def test_exporter_registry(results, tmp_path):
    exporter = get_exporter("csv")
    assert isinstance(exporter, Exporter) and exporter is BUILTIN_EXPORTERS["csv"]
    exporter(results, tmp_path / exporter.filename)
    assert len(read(tmp_path / "grades.csv")) == 3
    with pytest.raises(UsageError, match="unknown export format 'xls'.*csv"):
        get_exporter("xls")
