"""JUnit XML: a suite per submission, a case per check, statuses mapped, hidden checks name only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import junitparser

from grader.export import ExportOptions, get_exporter
from grader.export.junit import write_junit_xml


def test_read_back_with_a_junit_parser(lms_results, tmp_path):
    path = tmp_path / "junit.xml"
    write_junit_xml(lms_results, path, ExportOptions(lang="pt"))
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    assert list(suites) == ["ana.souza", "limabruno", "zeca"]
    ana = suites["ana.souza"]
    assert (ana.tests, ana.failures, ana.errors, ana.skipped) == (4, 2, 0, 1)
    cases = {c.name: c for c in ana}
    assert cases["valor"].is_passed and cases["valor"].classname == "relu-exercicios.desafio-1"
    failure = cases["forma"].result[0]
    assert isinstance(failure, junitparser.Failure) and failure.type == "partial"
    assert failure.message == "mensagem de forma"
    skipped = cases["texto"].result[0]
    assert isinstance(skipped, junitparser.Skipped) and "aguardando a revisão do professor" in skipped.message
    zeca = suites["zeca"]
    assert zeca.errors == 1 and isinstance(next(iter(zeca)).result[0], junitparser.Error)
    assert xml.tests == 9 and xml.failures == 2 and xml.errors == 1


def test_hidden_checks_name_and_outcome_only(lms_results, tmp_path):
    path = tmp_path / "junit.xml"
    write_junit_xml(lms_results, path, ExportOptions(lang="en"))
    text = path.read_text(encoding="utf-8")
    assert "mensagem de oculta" not in text and "42" not in text  # no message, never the expected value
    root = ET.parse(path).getroot()
    hidden = root.find("testsuite[@name='ana.souza']/testcase[@name='oculta']")
    assert hidden.find("failure").get("message") == "hidden check: only its outcome and points are shown"
    props = {p.get("name"): p.get("value") for p in hidden.find("properties")}
    assert props == {"score": "0", "max_score": "2", "status": "failed", "visibility": "hidden"}


def test_suite_properties_carry_the_grade(lms_results, tmp_path):
    path = tmp_path / get_exporter("junit").filename
    get_exporter("junit")(lms_results, path, ExportOptions())
    root = ET.parse(path).getroot()
    props = {p.get("name"): p.get("value") for p in root.find("testsuite[@name='ana.souza']/properties")}
    assert props == {"score": "3", "max_score": "10", "final_score": "2.4", "path": "ana.souza.ipynb",
                     "late_percent": "20"}
    assert path.read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_control_characters_from_a_notebook_still_give_readable_xml(lms_results, tmp_path):
    """An error text or message carrying terminal colours or NULs (they come from kernels) was written as is."""
    import dataclasses

    from tests.export.conftest import submission

    hostile = submission("eva", {"valor": "failed"}, status="error", error="falhou \x1b[31mvermelho\x00\x0b fim")
    hostile = dataclasses.replace(hostile, checks=tuple(dataclasses.replace(c, message="linha\x01\x08 \ud800 ok")
                                                        for c in hostile.checks))
    results = dataclasses.replace(lms_results, submissions=lms_results.submissions + (hostile,))
    path = tmp_path / "junit.xml"
    write_junit_xml(results, path, ExportOptions(lang="pt"))
    suites = {s.name: s for s in junitparser.JUnitXml.fromfile(str(path))}
    error = next(iter(suites["eva"])).result[0]
    assert "vermelho" in error.message and "\x1b" not in error.message and "\ufffd" in error.message
    assert "linha\ufffd\ufffd \ufffd ok" in path.read_text(encoding="utf-8")
