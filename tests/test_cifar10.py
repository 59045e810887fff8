"""CIFAR-10 folders: checked before a run (torchvision's md5, or the grader's synthetic manifest)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from grader import cifar10
from grader.cifar10 import (ARCHIVE, BASE_FOLDER, MANIFEST, REAL_DIGEST, Cifar10Error, SyntheticCifar10,
                            find_cifar10, synthetic_arrays, write_synthetic_cifar10)


def test_the_md5_sums_are_torchvisions_published_ones():
    assert cifar10.ARCHIVE_MD5 == "c58f30108f718f92721af3b95e74349a"
    assert cifar10.FILE_MD5["data_batch_1"] == "c99cafc152244af753f735de768cd75f"
    assert cifar10.FILE_MD5["test_batch"] == "40351d587109b95175f43aff81a1287e"
    assert cifar10.FILE_MD5["batches.meta"] == "5ff9c542aee3614f3951f8cda6e48888"
    assert len(cifar10.FILE_MD5) == 7


def test_a_synthetic_set_has_the_counts_asked_for_and_the_same_bytes_for_the_same_seed(tmp_path):
    spec = SyntheticCifar10(train_counts=(5, 0, 1, 2, 3, 4, 5, 6, 7, 8), test_counts=(2,) * 10, seed=3)
    train, test = synthetic_arrays(spec)
    assert np.bincount(train.labels, minlength=10).tolist() == list(spec.train_counts)
    assert train.images.shape == (41, 32, 32, 3) and train.images.dtype == np.uint8 and len(test.labels) == 20
    one, two = write_synthetic_cifar10(tmp_path / "a", spec), write_synthetic_cifar10(tmp_path / "b", spec)
    assert one.synthetic and one.digest == two.digest and one.folder.endswith(BASE_FOLDER)
    assert write_synthetic_cifar10(tmp_path / "c", SyntheticCifar10(seed=4)).digest != one.digest
    with pytest.raises(ValueError):
        synthetic_arrays(SyntheticCifar10(train_counts=(1, 2)))


def test_a_certified_synthetic_folder_is_accepted_and_marked_synthetic(tmp_path):
    written = write_synthetic_cifar10(tmp_path)
    for named in (tmp_path, tmp_path / BASE_FOLDER):
        found = find_cifar10(named)
        assert (found.folder, found.digest) == (written.folder, written.digest) and found.synthetic
        assert found.digest != REAL_DIGEST and found.folders == tuple(dict.fromkeys((Path(written.folder), named)))
    assert find_cifar10(None) is None


def test_an_edited_file_or_a_missing_manifest_is_refused_not_taken_for_real_data(tmp_path):
    write_synthetic_cifar10(tmp_path)
    batch = tmp_path / BASE_FOLDER / "data_batch_2"
    batch.write_bytes(batch.read_bytes() + b"x")
    with pytest.raises(Cifar10Error, match="neither|nor"):
        find_cifar10(tmp_path)
    write_synthetic_cifar10(tmp_path)
    (tmp_path / BASE_FOLDER / MANIFEST).unlink()
    with pytest.raises(Cifar10Error) as error:
        find_cifar10(tmp_path)
    assert error.value.key == "usage.cifar10.corrupt"


def test_a_folder_without_cifar10_or_with_another_archive_is_a_clear_error(tmp_path):
    with pytest.raises(Cifar10Error) as error:
        find_cifar10(tmp_path)
    assert error.value.key == "usage.cifar10.missing" and ARCHIVE in str(error.value)
    with tarfile.open(tmp_path / ARCHIVE, "w:gz") as tar:
        info = tarfile.TarInfo(f"{BASE_FOLDER}/test_batch")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(Cifar10Error) as error:
        find_cifar10(tmp_path, cache=tmp_path / "cache")
    assert error.value.key == "usage.cifar10.archive_md5" and not (tmp_path / "cache").exists()


def test_the_run_context_carries_the_checked_folder_into_the_execution_settings_and_the_cache_key(tmp_path, capsys):
    from grader.grade import execution_key
    from grader.run import make_context
    from tests.test_spec import CNN_SPEC
    from grader.checks import default_registry
    from grader.spec import load_assignment

    spec = load_assignment(CNN_SPEC, default_registry())
    plain = make_context(spec, data_dir=None, store=None, no_store=True, cell_timeout=None, isolation="none")
    written = write_synthetic_cifar10(tmp_path)
    context = make_context(spec, data_dir=None, store=None, no_store=True, cell_timeout=None, isolation="none",
                           cifar10_dir=tmp_path)
    assert plain.assignment.execution.cifar10 is None
    assert context.assignment.execution.cifar10.folder == written.folder
    assert execution_key(context.assignment) != execution_key(plain.assignment)
    assert "SINTÉTICO" in capsys.readouterr().err
    with pytest.raises(Cifar10Error):
        make_context(spec, data_dir=None, store=None, no_store=True, cell_timeout=None, isolation="none",
                     cifar10_dir=tmp_path / "nothing")


def test_files_with_the_published_md5_are_real_and_an_archive_is_checked_then_extracted(tmp_path, monkeypatch):
    """The real set's logic on a stand-in: the constants are patched to a synthetic set's own md5 sums."""
    written = Path(write_synthetic_cifar10(tmp_path / "made").folder)
    (written / MANIFEST).unlink()  # real data has no manifest
    sums = {name: cifar10._digest(written / name, "md5") for name in cifar10.FILE_MD5}
    monkeypatch.setattr(cifar10, "FILE_MD5", sums)
    found = find_cifar10(tmp_path / "made")
    assert not found.synthetic and found.digest == REAL_DIGEST and found.folder == str(written)
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    with tarfile.open(archive_dir / ARCHIVE, "w:gz") as tar:
        tar.add(written, arcname=BASE_FOLDER)
        tar.add(written / "test_batch", arcname="../escape")  # never extracted: not a known member
    monkeypatch.setattr(cifar10, "ARCHIVE_MD5", cifar10._digest(archive_dir / ARCHIVE, "md5"))
    extracted = find_cifar10(archive_dir, cache=tmp_path / "cache")
    assert not extracted.synthetic and Path(extracted.folder).parent.parent == tmp_path / "cache"
    assert sorted(p.name for p in Path(extracted.folder).iterdir()) == sorted(sums)
    assert not (tmp_path / "escape").exists() and Path(archive_dir) in extracted.folders
