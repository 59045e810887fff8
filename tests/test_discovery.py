"""Finding submissions: a flat folder of notebooks, or one folder per student."""

from __future__ import annotations

import pytest

from grader.errors import UsageError
from grader.discovery import _safe_id, discover_submissions


def touch(folder, *names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")


def ids_and_paths(found):
    return [(s.id, s.relative) for s in found]


def test_flat_folder_id_is_the_stem(tmp_path):
    touch(tmp_path, "bruno.ipynb", "ana.ipynb", "leia-me.txt")
    found = discover_submissions(tmp_path)
    assert ids_and_paths(found) == [("ana", "ana.ipynb"), ("bruno", "bruno.ipynb")]
    assert found[0].path == tmp_path / "ana.ipynb"


def test_one_folder_per_student_id_is_the_folder(tmp_path):
    touch(tmp_path,
          "ana/cnn-pratica.ipynb",
          "ana/.ipynb_checkpoints/cnn-pratica-checkpoint.ipynb",
          "bruno/entrega/cnn-pratica.ipynb",
          "carla/notas.txt")
    found = discover_submissions(tmp_path)
    assert ids_and_paths(found) == [("ana", "ana/cnn-pratica.ipynb"), ("bruno", "bruno/entrega/cnn-pratica.ipynb")]


def test_checkpoints_alone_are_not_a_submission(tmp_path):
    touch(tmp_path, "ana/.ipynb_checkpoints/cnn-pratica-checkpoint.ipynb")
    assert discover_submissions(tmp_path) == []


def test_hidden_folders_are_ignored(tmp_path):
    touch(tmp_path, ".ipynb_checkpoints/ana-checkpoint.ipynb", ".git/x.ipynb", "ana.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path)) == [("ana", "ana.ipynb")]


def test_mixed_files_and_folders(tmp_path):
    touch(tmp_path, "ana.ipynb", "bruno/cnn.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path)) == [("ana", "ana.ipynb"), ("bruno", "bruno/cnn.ipynb")]


def test_duplicate_ids_get_suffixes(tmp_path):
    touch(tmp_path, "ana.ipynb", "ana/cnn.ipynb", "bruno.ipynb")
    found = discover_submissions(tmp_path)
    ids = [s.id for s in found]
    assert len(set(ids)) == len(ids) == 3
    assert ids_and_paths(found) == [("ana-1", "ana.ipynb"), ("bruno", "bruno.ipynb"), ("ana-3", "ana/cnn.ipynb")]


def test_ids_made_unsafe_the_same_way_get_suffixes(tmp_path):
    touch(tmp_path, "ana maria.ipynb", "ana_maria.ipynb")
    ids = [s.id for s in discover_submissions(tmp_path)]
    assert len(set(ids)) == 2 and all(i.startswith("ana_maria-") for i in ids)


def test_suffixed_ids_do_not_collide_with_real_ids(tmp_path):
    touch(tmp_path, "ana-2.ipynb", "ana.ipynb", "ana/cnn.ipynb")
    found = discover_submissions(tmp_path)
    ids = [s.id for s in found]
    assert len(set(ids)) == 3, ids
    assert found[0].id == "ana-2" and found[0].relative == "ana-2.ipynb"


def test_macos_zip_debris_is_ignored(tmp_path):
    touch(tmp_path, "._bruno.ipynb", "bruno.ipynb",
          "ana/__MACOSX/._cnn.ipynb", "ana/cnn.ipynb", "__MACOSX/ana/._cnn.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path)) == [("bruno", "bruno.ipynb"), ("ana", "ana/cnn.ipynb")]


def test_single_notebook_file(tmp_path):
    touch(tmp_path, "ana.ipynb")
    assert ids_and_paths(discover_submissions(tmp_path / "ana.ipynb")) == [("ana", "ana.ipynb")]


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        discover_submissions(tmp_path / "entregas")


def test_empty_folder(tmp_path):
    assert discover_submissions(tmp_path) == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ana", "ana"),
        ("Ana Maria Silva", "Ana_Maria_Silva"),
        ("../../etc/passwd", "etc_passwd"),
        ("turma\\aluno", "turma_aluno"),
        ("joão.souza@usp.br", "joão.souza@usp.br"),
        ("...", "submission"),
        ("", "submission"),
    ],
)
def test_safe_id(raw, expected):
    assert _safe_id(raw) == expected


@pytest.mark.parametrize("raw", ["a b/c", "x/../y", "a:b*c?", 'a"b<c>|d', "tab\there"])
def test_safe_id_has_no_path_or_shell_characters(raw):
    safe = _safe_id(raw)
    assert not set(safe) & set(' /\\:*?"<>|\t') and safe not in (".", "..")
