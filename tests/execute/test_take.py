"""The take step: what a kernel leaves in its exports crosses into the grader only as checked copies.

Pure file-system tests (no kernel): each builds an exports folder the way a hostile
notebook could leave it and checks what the grader's copy holds.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from grader.execute.take import Budget, HarvestLimits as Limits, take_harvest
from grader.inspect.base import inspectors

# the names a model folder may hold, as the inspectors declare them (the take step knows none)
FILES = dict(model_files=frozenset(n for i in inspectors() for n in i.model_files),
             description_files=frozenset(n for i in inspectors() for n in i.description_files))


def HarvestLimits(**caps) -> Limits:  # noqa: N802 - the limits of a run, with the inspectors' file names
    return Limits(**FILES, **caps)

SECRET = "CANARY-SECRET-5d1e"


def _manifest(*dirs: str, **extra) -> dict:
    models = [{"dir": d, "names": ["m"], "order": n + 1, "api": "sequential"} for n, d in enumerate(dirs)]
    return {"segment": "desafio-1", "models": models, "values": {}, **extra}


def harvest(root: Path, manifest: dict | str | None = None, models: tuple[str, ...] = ("model1",)) -> Path:
    """An exports folder as the harness writes it: ``exports/desafio-1/{manifest.json, modelN/...}``."""
    folder = root / "k" / "exports" / "desafio-1"
    folder.mkdir(parents=True)
    for name in models:
        (folder / name).mkdir()
        (folder / name / "model.json").write_text('{"class_name": "Sequential"}', encoding="utf-8")
        (folder / name / "model.weights.h5").write_bytes(b"\x89HDF" + b"\0" * 100)
    if manifest is not None:
        text = manifest if isinstance(manifest, str) else json.dumps(manifest)
        (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "host" / "reference.ipynb"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def take(source: Path, budget: Budget | None = None, **kw):
    target = source.parents[2] / "artifacts" / source.name
    return take_harvest(source, target, budget or Budget(HarvestLimits()), **kw)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_plain_harvest_is_copied_and_its_manifest_read(tmp_path):
    taken = take(harvest(tmp_path, _manifest("model1")))
    assert taken.tampering is None and taken.found
    assert files_under(taken.folder) == {"manifest.json", "model1", "model1/model.json", "model1/model.weights.h5"}
    assert taken.manifest["models"][0]["dir"] == "model1" and taken.manifest["models"][0]["order"] == 1


def test_model_entries_are_cleaned_to_the_types_the_inspector_reads(tmp_path):
    hostile = _manifest("model1")
    hostile["models"][0].update(order="²", names=5, execution_count=True, reconstructed="yes", error=None)
    taken = take(harvest(tmp_path, hostile))
    entry = taken.manifest["models"][0]
    assert (entry["order"], entry["names"], entry["execution_count"], entry["reconstructed"]) == (0, [], None, False)
    plain = _manifest("model1")
    plain["models"][0]["constructor_not_plain"] = ["dados (ndarray)"]
    assert take(harvest(tmp_path / "b", plain)).manifest["models"][0]["constructor_not_plain"] == ["dados (ndarray)"]


def test_a_file_replaced_by_a_link_to_a_host_file_is_tampering_and_is_not_read(tmp_path, secret):
    source = harvest(tmp_path, _manifest("model1"))
    (source / "model1" / "model.weights.h5").unlink()
    (source / "model1" / "model.weights.h5").symlink_to(secret)
    taken = take(source)
    assert taken.tampering and "model.weights.h5" in taken.tampering
    assert taken.manifest is None and files_under(taken.folder) == set()


def test_a_model_folder_that_is_a_link_is_tampering(tmp_path, secret):
    source = harvest(tmp_path, _manifest("model1"), models=())
    (source / "model1").symlink_to(secret.parent, target_is_directory=True)
    assert take(source).tampering


def test_a_link_as_the_harvest_error_is_tampering_and_never_read(tmp_path, secret):
    source = harvest(tmp_path, _manifest())
    (source / "harvest-error.txt").symlink_to(secret)
    taken = take(source)
    assert taken.tampering and taken.error_text is None


def test_a_long_harvest_error_is_cut_not_tampering(tmp_path):
    source = harvest(tmp_path, None, models=())
    (source / "harvest-error.txt").write_text("ValueError: " + "x" * 100_000, encoding="utf-8")
    taken = take(source)
    assert taken.tampering is None and taken.error_text.startswith("ValueError") and len(taken.error_text) == 2000


@pytest.mark.parametrize("folder", ["../../../../tmp/outro", "/proc/1/cwd/artifacts/desafio-1/model1", "model1/..",
                                    "", 7, None])
def test_a_model_entry_naming_a_folder_outside_the_exports_is_tampering(tmp_path, folder):
    manifest = _manifest("model1")
    manifest["models"][0]["dir"] = folder
    assert take(harvest(tmp_path, manifest)).tampering


def test_a_model_listed_twice_is_tampering(tmp_path):
    taken = take(harvest(tmp_path, _manifest("model1", "model1", "model1")))
    assert "more than once" in taken.tampering


def test_a_manifest_listing_too_many_models_is_tampering(tmp_path):
    limits = HarvestLimits(max_models=5)
    source = harvest(tmp_path, _manifest(*(f"model{n}" for n in range(1, 7))), models=tuple(f"model{n}" for n in range(1, 7)))
    assert "more than 5 models" in take(source, Budget(limits)).tampering


def test_a_model_entry_naming_a_folder_that_was_not_exported_is_tampering(tmp_path):
    assert "not exported" in take(harvest(tmp_path, _manifest("model2"))).tampering


def test_a_deeply_nested_manifest_is_tampering_not_a_crash(tmp_path):
    deep = '{"models": [], "values": {"x": ' + "[" * 200_000 + "]" * 200_000 + "}}"
    taken = take(harvest(tmp_path, deep, models=()))
    assert taken.tampering and "nested" in taken.tampering
    moderately = '{"models": [], "values": {"x": ' + "[" * 100 + "]" * 100 + "}}"
    assert "nested" in take(harvest(tmp_path / "b", moderately, models=())).tampering


@pytest.mark.parametrize("text", ["[1, 2]", "not json", "\ud800", '{"models": {"dir": "model1"}}'])
def test_a_manifest_that_is_not_an_object_of_the_harness_is_tampering(tmp_path, text):
    source = harvest(tmp_path, None)
    (source / "manifest.json").write_bytes(text.encode("utf-8", "surrogatepass"))
    assert take(source).tampering


def test_a_fifo_is_tampering_and_never_blocks(tmp_path):
    source = harvest(tmp_path, _manifest("model1"))
    os.mkfifo(source / "model1" / "extra")
    done = []
    thread = threading.Thread(target=lambda: done.append(take(source)), daemon=True)
    thread.start()
    thread.join(10)
    assert done and done[0].tampering


def test_an_unexpected_file_is_tampering(tmp_path):
    source = harvest(tmp_path, _manifest("model1"))
    (source / "model1" / "modelo_trocado.keras").write_bytes(b"x")
    assert "unexpected" in take(source).tampering


def test_the_exports_folder_replaced_by_a_link_is_tampering(tmp_path, secret):
    exports = tmp_path / "k" / "exports"
    exports.mkdir(parents=True)
    real = secret.parent / "desafio-1"
    real.mkdir()
    (real / "manifest.json").write_text(json.dumps(_manifest()), encoding="utf-8")
    (exports / "desafio-1").symlink_to(real, target_is_directory=True)
    assert "not a plain folder" in take(exports / "desafio-1").tampering


def test_a_missing_harvest_is_not_tampering(tmp_path):
    (tmp_path / "k" / "exports").mkdir(parents=True)
    taken = take(tmp_path / "k" / "exports" / "desafio-1")
    assert (taken.found, taken.tampering, taken.manifest) == (False, None, None)


def test_a_file_over_its_cap_is_tampering(tmp_path):
    source = harvest(tmp_path, _manifest("model1"))
    (source / "model1" / "model.weights.h5").write_bytes(b"\0" * 5000)
    assert "larger than" in take(source, Budget(HarvestLimits(max_file_bytes=4096))).tampering


def test_a_sparse_file_is_judged_by_its_size_not_the_blocks_it_uses(tmp_path):
    source = harvest(tmp_path, _manifest("model1"))
    with open(source / "model1" / "model.weights.h5", "wb") as handle:
        handle.truncate(10 * 2**30)  # 10 GB that use no disk
    assert "larger than" in take(source).tampering


def test_the_submission_budget_spans_its_harvests(tmp_path):
    budget = Budget(HarvestLimits(max_submission_bytes=300))
    first = take(harvest(tmp_path / "a", _manifest("model1")), budget)
    assert first.tampering is None
    assert "size allowed for a submission" in take(harvest(tmp_path / "b", _manifest("model1")), budget).tampering


def test_a_function_call_harvest_takes_only_calls_json(tmp_path):
    folder = tmp_path / "k" / "exports" / "__call0"
    folder.mkdir(parents=True)
    (folder / "calls.json").write_text('{"defined": true, "results": [{"value": 1}]}', encoding="utf-8")
    taken = take_harvest(folder, tmp_path / "artifacts" / "c", Budget(HarvestLimits()), expect="calls.json")
    assert taken.tampering is None and taken.manifest["results"] == [{"value": 1}]
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    assert take_harvest(folder, tmp_path / "artifacts" / "c", Budget(HarvestLimits()), expect="calls.json").tampering


def test_limits_fit_the_largest_exported_model():
    limits = Limits.for_params(5_000_000, **FILES)
    assert limits.model_files == FILES["model_files"]
    assert limits.max_file_bytes >= 8 * 5_000_000 and limits.max_model_bytes > limits.max_file_bytes
    assert limits.max_submission_bytes >= 4 * limits.max_file_bytes


# ---------------------------------------------------------------- PyTorch modules: module.json + model.safetensors
def torch_harvest(root: Path, description: bytes = b'{"architecture": {"class": "LeNet"}}',
                  weights: bytes = b"\x08\0\0\0\0\0\0\0{}      ") -> Path:
    """An exports folder holding one PyTorch module as the torch harvest writes it."""
    folder = root / "k" / "exports" / "desafio-1"
    (folder / "model1").mkdir(parents=True)
    (folder / "model1" / "module.json").write_bytes(description)
    (folder / "model1" / "model.safetensors").write_bytes(weights)
    manifest = {"segment": "desafio-1", "values": {},
                "models": [{"dir": "model1", "names": ["net"], "order": 1, "framework": "torch", "api": "subclass"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_a_torch_module_is_taken_with_its_framework(tmp_path):
    taken = take(torch_harvest(tmp_path))
    assert taken.tampering is None
    assert files_under(taken.folder) == {"manifest.json", "model1", "model1/module.json", "model1/model.safetensors"}
    assert taken.manifest["models"][0]["framework"] == "torch"


def test_an_entry_without_a_framework_names_none_and_a_strange_framework_is_unknown(tmp_path):
    taken = take(harvest(tmp_path, _manifest("model1")))
    assert taken.manifest["models"][0]["framework"] is None  # the take step knows no framework: inspect's default
    manifest = _manifest("model1")
    manifest["models"][0]["framework"] = "../../torch"
    taken = take(harvest(tmp_path / "again", manifest))
    assert taken.manifest["models"][0]["framework"] == "unknown"


def test_a_torch_description_is_capped_like_a_manifest(tmp_path):
    limits = HarvestLimits(max_manifest_bytes=1000)
    taken = take(torch_harvest(tmp_path, description=b"{" + b" " * 5000 + b"}"), Budget(limits))
    assert taken.tampering and "module.json" in taken.tampering and taken.manifest is None


def test_a_torch_weight_file_over_the_file_cap_breaks_a_rule(tmp_path):
    limits = HarvestLimits(max_file_bytes=4000)
    taken = take(torch_harvest(tmp_path, weights=b"\0" * 5000), Budget(limits))
    assert taken.tampering and "model.safetensors" in taken.tampering and files_under(taken.folder) == set()


def test_a_linked_torch_weight_file_is_refused(tmp_path, secret):
    source = torch_harvest(tmp_path)
    (source / "model1" / "model.safetensors").unlink()
    (source / "model1" / "model.safetensors").symlink_to(secret)
    taken = take(source)
    assert taken.tampering and "model.safetensors" in taken.tampering
    assert SECRET not in "".join(p.read_text(errors="replace") for p in taken.folder.rglob("*") if p.is_file())


def test_a_pickle_beside_a_torch_module_is_refused(tmp_path):
    source = torch_harvest(tmp_path)
    (source / "model1" / "model.pt").write_bytes(b"\x80\x04K\x01.")  # a pickle: never taken, never loaded
    taken = take(source)
    assert taken.tampering and "model.pt" in taken.tampering


def test_a_model_folder_holds_only_the_names_the_inspectors_declare(tmp_path):
    """The take step knows no framework's files: without an inspector's names, a model file is refused."""
    taken = take(harvest(tmp_path, _manifest("model1")), Budget(Limits()))
    assert "unexpected 'model1/model.json'" in taken.tampering
    only_torch = Limits(model_files=frozenset({"module.json", "model.safetensors"}))
    assert "unexpected" in take(harvest(tmp_path / "again", _manifest("model1")), Budget(only_torch)).tampering
