"""The terminal: progress while notebooks run, and no log record or warning on it; no kernel starts.

Nothing printed depends on a language kept by the process: each display is handed its catalogue.
"""

from __future__ import annotations

import io
import logging
import warnings
from concurrent.futures import Future

import pytest

from grader import console
from grader.facts import NotebookFacts
from grader.messages import load_catalogue
from grader.backends.base import Running, gather
from grader.schedule import Collected, TerminalProgress, at_cell

PT, EN = load_catalogue("pt"), load_catalogue("en")


def finished(value=None, error=None) -> Future:
    future = Future()
    future.set_running_or_notify_cancel()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
    return future


def test_plain_progress_is_one_line_per_notebook_with_elapsed_and_eta():
    stream = io.StringIO()
    progress = console.RunProgress(3, PT, stream=stream, terminal=False)
    progress.finished("ana")
    progress.finished("bia", failed=True)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/3] ana: ok · decorrido 0:00 · restante ~0:00")
    assert lines[1].startswith("[2/3] bia: falhou")
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_terminal_progress_shows_done_running_and_failed():
    stream = io.StringIO()
    progress = console.RunProgress(2, PT, running=lambda: ["bia"], stream=stream, terminal=True)
    progress.finished("ana", cached=True)
    progress.close()
    text = stream.getvalue()
    assert "executando" in text and "1 prontos · 1 rodando · 0 com falha" in text and "rodando: bia" in text


def test_two_runs_in_two_languages_print_each_in_its_own_when_interleaved():
    """What a server answering two students at once needs: no language shared by the process."""
    streams = {"pt": io.StringIO(), "en": io.StringIO()}
    shown = {lang: console.RunProgress(2, cat, stream=streams[lang], terminal=False)
             for lang, cat in (("pt", PT), ("en", EN))}
    shown["pt"].finished("ana")
    shown["en"].finished("bob", failed=True)
    shown["pt"].finished("bia", cached=True)
    shown["en"].finished("cid")
    for progress in shown.values():
        progress.close()
    pt, en = streams["pt"].getvalue().splitlines(), streams["en"].getvalue().splitlines()
    assert pt[0].startswith("[1/2] ana: ok · decorrido") and pt[1].startswith("[2/2] bia: reaproveitado")
    assert en[0].startswith("[1/2] bob: failed · elapsed") and en[1].startswith("[2/2] cid: ok · elapsed")


def test_gather_counts_failures_and_names_the_reference(capsys):
    ok = NotebookFacts("a" * 64).to_json()
    futures = {finished((ok, True)): "ana", finished(error=RuntimeError("worker lost")): "bia",
               finished((ok, False)): "\0reference"}
    heard = Collected(TerminalProgress(EN))
    gather(futures, list(futures), heard, total=3, running=list, result=lambda future: future.result())
    collected = heard.facts
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("[1/3] ana: reused (not executed)")
    assert err[1].startswith("[2/3] bia: failed")
    assert err[2].startswith("[3/3] reference solution: ok")
    assert "worker lost" in collected["bia"][0].error and collected["ana"][1] is True


def test_logging_and_warnings_stay_off_the_terminal_and_reach_the_log(tmp_path, capsys):
    console.setup_logging(verbose=False)
    logging.getLogger("absl").warning("before OUT is known")
    logging.getLogger("grader.scoring").error("a check crashed", exc_info=RuntimeError("boom"))
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(True)
        warnings.warn("a library warning", UserWarning)
    log = tmp_path / "grader.log"
    console.log_to(log)
    logging.getLogger("asyncio").warning("after")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    text = log.read_text(encoding="utf-8")
    for line in ("before OUT is known", "a check crashed", "a library warning", "after"):
        assert line in text
    assert console.logged_warnings() == 4
    logging.captureWarnings(False)


def test_verbose_logs_to_the_terminal(capsys):
    console.setup_logging(verbose=True)
    logging.getLogger("grader.run").info("doing it")
    assert "doing it" in capsys.readouterr().err
    console.setup_logging(verbose=False)


def test_the_progress_names_the_cell_each_running_notebook_is_at(tmp_path):
    from grader.backends.local import cell_of

    status = tmp_path / "s.json"
    assert at_cell(Running("ana", cell_of(status)), PT) == "ana"  # not started yet
    status.write_text('{"cell": 12}')
    assert at_cell(Running("ana", cell_of(status)), PT) == "ana (célula 12)"
    assert at_cell(Running("ana", cell_of(status)), EN) == "ana (cell 12)"
    assert at_cell(Running("\0reference", 3), EN) == "reference solution (cell 3)"
    status.write_text("garbage")
    assert at_cell(Running("ana", cell_of(status)), PT) == "ana"


def test_a_command_in_english_leaves_the_next_one_in_portuguese(capsys, tmp_path):
    """Two commands of one process: the first one's ``--lang`` is not kept for the second (nor its errors)."""
    from grader.cli import main

    assert main(["assignments", "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert main(["assignments"]) == 0
    portuguese = capsys.readouterr().out
    assert " points)" in english and " pontos)" not in english
    assert " pontos)" in portuguese and " points)" not in portuguese
    assert main(["run", str(tmp_path), "-a", "nenhum", "-o", str(tmp_path / "out"), "--lang", "en"]) != 0
    assert main(["run", str(tmp_path), "-a", "nenhum", "-o", str(tmp_path / "out")]) != 0
    english_error, portuguese_error = capsys.readouterr().err.splitlines()[-2:]
    assert english_error.startswith("grader: error:") and portuguese_error.startswith("grader: erro:")
