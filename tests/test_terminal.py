"""The terminal: progress while notebooks run, and no log record or warning on it; no kernel starts."""

from __future__ import annotations

import io
import logging
import warnings
from concurrent.futures import Future

import pytest

from grader import console
from grader.facts import NotebookFacts
from grader.schedule import _gather


@pytest.fixture(autouse=True)
def portuguese():
    console.use_language("pt")
    yield
    console.use_language("pt")


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
    progress = console.RunProgress(3, stream=stream, terminal=False)
    progress.finished("ana")
    progress.finished("bia", failed=True)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/3] ana: ok · decorrido 0:00 · restante ~0:00")
    assert lines[1].startswith("[2/3] bia: falhou")
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_terminal_progress_shows_done_running_and_failed():
    stream = io.StringIO()
    progress = console.RunProgress(2, running=lambda: ["bia"], stream=stream, terminal=True)
    progress.finished("ana", cached=True)
    progress.close()
    text = stream.getvalue()
    assert "executando" in text and "1 prontos · 1 rodando · 0 com falha" in text and "rodando: bia" in text


def test_gather_counts_failures_and_names_the_reference(capsys):
    console.use_language("en")
    ok = NotebookFacts("a" * 64).to_json()
    futures = {finished((ok, True)): "ana", finished(error=RuntimeError("worker lost")): "bia",
               finished((ok, False)): "\0reference"}
    collected = {}
    _gather(futures, list(futures), collected)
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
    from grader.schedule import _at_cell

    status = tmp_path / "s.json"
    assert _at_cell("ana", status) == "ana"  # not started yet
    status.write_text('{"cell": 12}')
    assert _at_cell("ana", status) == "ana (célula 12)"
    status.write_text("garbage")
    assert _at_cell("ana", status) == "ana"
