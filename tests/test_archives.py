"""Zip archives of submissions: extracted safely, unsafe entries listed, bombs refused."""

from __future__ import annotations

import stat
import zipfile

import pytest

from grader.archives import ExtractionLimits, extract_zip, open_submissions
from grader.discovery import discover
from grader.errors import UsageError
from grader.messages import load_catalogue


def make_zip(path, entries):
    """``entries``: name -> bytes, or (bytes, ZipInfo tweaks) for links and dates."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 20, 10, 0, 0))
            if isinstance(data, tuple):
                data, tweak = data
                tweak(info)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def as_link(info):
    info.external_attr = (stat.S_IFLNK | 0o777) << 16


def later(info):
    info.date_time = (2026, 11, 21, 10, 0, 0)


def test_moodle_zip_is_extracted_and_discovered(tmp_path):
    archive = make_zip(tmp_path / "entregas.zip", {
        "Ana Silva_12_assignsubmission_file/aluno.ipynb": b"{}",
        "Ana Silva_12_assignsubmission_file/aluno-v2.ipynb": (b"{}", later),
        "Bruno_13_assignsubmission_file_cnn.ipynb": b"{}",
    })
    opened = open_submissions(archive)
    try:
        found = discover(opened.folder, skipped=opened.skipped)
        assert [(s.id, s.relative) for s in found.submissions] == [
            ("13", "Bruno_13_assignsubmission_file_cnn.ipynb"),
            ("12", "Ana Silva_12_assignsubmission_file/aluno-v2.ipynb")]  # the later date in the archive
        assert found.submissions[0].path.read_bytes() == b"{}"
    finally:
        opened.cleanup()
    assert not opened.folder.exists()


@pytest.mark.parametrize("name", ["../fora.ipynb", "/etc/cron.d/x.ipynb", "a/../../fora.ipynb", "C:/x.ipynb",
                                  "..\\fora.ipynb"])
def test_entries_that_escape_are_not_extracted(tmp_path, name):
    archive = make_zip(tmp_path / "e.zip", {name: b"{}", "ana.ipynb": b"{}"})
    dest = tmp_path / "out" / "inner"
    dest.mkdir(parents=True)
    extraction = extract_zip(archive, dest)
    assert [(s.path, s.reason) for s in extraction.skipped] == [(name, "unsafe_path")]
    assert sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file()) == ["ana.ipynb"]
    assert not (tmp_path / "fora.ipynb").exists()


def test_links_are_not_extracted(tmp_path):
    archive = make_zip(tmp_path / "e.zip", {"ana.ipynb": (b"/etc/passwd", as_link)})
    extraction = extract_zip(archive, tmp_path / "x")
    assert [s.reason for s in extraction.skipped] == ["unsafe_path"]
    assert not (tmp_path / "x" / "ana.ipynb").exists()


def test_a_file_above_the_limit_is_skipped(tmp_path):
    archive = make_zip(tmp_path / "e.zip", {"big.ipynb": b"0" * 5000, "ana.ipynb": b"{}"})
    extraction = extract_zip(archive, tmp_path / "x", ExtractionLimits(max_file_bytes=1000))
    assert [(s.path, s.reason) for s in extraction.skipped] == [("big.ipynb", "too_large")]
    assert not (tmp_path / "x" / "big.ipynb").exists() and (tmp_path / "x" / "ana.ipynb").exists()


def test_a_bomb_above_the_total_limit_is_refused(tmp_path):
    archive = make_zip(tmp_path / "e.zip", {f"n{i}.ipynb": b"0" * 4000 for i in range(5)})
    with pytest.raises(UsageError, match="MB once extracted") as caught:
        extract_zip(archive, tmp_path / "x", ExtractionLimits(max_file_bytes=5000, max_total_bytes=10_000))
    assert caught.value.key == "usage.archive.too_large"


def test_too_many_entries_are_refused(tmp_path):
    archive = make_zip(tmp_path / "e.zip", {f"n{i}.ipynb": b"{}" for i in range(4)})
    with pytest.raises(UsageError, match="more than 3"):
        extract_zip(archive, tmp_path / "x", ExtractionLimits(max_entries=3))


def test_not_a_zip_is_a_usage_error(tmp_path):
    fake = tmp_path / "entregas.zip"
    fake.write_bytes(b"not a zip")
    with pytest.raises(UsageError) as caught:
        open_submissions(fake)
    assert caught.value.key == "usage.archive.not_zip"
    assert caught.value.render(load_catalogue("pt")).endswith("(talvez o download tenha parado no meio: baixe de novo)")


def test_a_corrupt_entry_is_a_usage_error_in_the_users_language(tmp_path):
    archive = make_zip(tmp_path / "entregas.zip", {"ana/desafio.ipynb": bytes(range(256)) * 40})
    data = bytearray(archive.read_bytes())
    data[60:90] = bytes(30)  # inside the deflated data: zlib fails (it escaped as a traceback before)
    archive.write_bytes(bytes(data))
    with pytest.raises(UsageError) as caught:
        open_submissions(archive)
    assert caught.value.key == "usage.archive.damaged"
    text = caught.value.render(load_catalogue("pt"))
    assert text == f"'{archive}' está danificado em 'ana/desafio.ipynb' (dados corrompidos: baixe o arquivo de novo)"


def test_a_folder_is_used_as_it_is(tmp_path):
    opened = open_submissions(tmp_path)
    assert opened.folder == tmp_path and opened.skipped == ()
    opened.cleanup()
    assert tmp_path.exists()
