"""A PyTorch notebook in a real kernel: CIFAR-10 from the grader's folder, cells the spec excludes, determinism."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.cifar10 import SyntheticCifar10, synthetic_arrays, write_synthetic_cifar10
from grader.execute import execute_notebook
from grader.notebook import split_sections
from grader.spec import Assignment, CheckSpec, ExecutionSettings, SectionSpec, SkipRule

pytestmark = pytest.mark.kernel
pytest.importorskip("torch")
v4 = nbformat.v4


def test_cifar10_loads_from_the_grader_folder_excluded_cells_never_run_and_torch_is_seeded(tmp_path, dataset_dir):
    spec = SyntheticCifar10(train_counts=(2,) * 10, test_counts=(1,) * 10, seed=1)
    data = write_synthetic_cifar10(tmp_path / "cifar", spec)
    targets = synthetic_arrays(spec)[0].labels.tolist()
    rules = (SkipRule(pattern=r"run_full_experiment\s*\(", reason="horas de CPU"), SkipRule(tag="treino-completo"))
    settings = ExecutionSettings(cell_timeout=60, total_timeout=240, cifar10=data, skip=rules)
    assignment = Assignment("t", "t", "/tmp", "t.ipynb", "r.ipynb", (SectionSpec("d1", "D1", r"(?i)desafio\s*1"),),
                            (CheckSpec("run", "d1", "executes", 1.0),), settings)
    full_run = v4.new_code_cell("raise SystemExit('50 épocas')")
    full_run.metadata["tags"] = ["treino-completo"]
    cells = [
        v4.new_markdown_cell("## Desafio 1"),
        v4.new_code_cell("import torch\nfrom torchvision import datasets, transforms"),
        v4.new_code_cell(
            "train_transform = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.RandomRotation(10),\n"
            "    transforms.ToTensor(), transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])\n"
            "ds = datasets.CIFAR10(root='./data', train=True, download=True, transform=train_transform)\n"
            f"assert len(ds) == 20 and ds.targets == {targets!r}, ds.targets\n"
            "assert tuple(ds[0][0].shape) == (3, 32, 32)\n"
            "loader = torch.utils.data.DataLoader(ds, batch_size=8, sampler=torch.utils.data.WeightedRandomSampler("
            "[1.0] * len(ds), num_samples=8, replacement=True))\n"
            "images, labels = next(iter(loader))"),
        v4.new_code_cell("results = run_full_experiment(CONFIG)"),
        full_run,
        v4.new_code_cell("assert torch.initial_seed() == 42 and torch.get_num_threads() == 1\n"
                         "assert torch.are_deterministic_algorithms_enabled()"),
    ]
    nb = v4.new_notebook(cells=cells)
    record, area = execute_notebook(nb, split_sections(nb, assignment), assignment, tmp_path / "k", dataset_dir)
    cells = {c.index: c for c in record.cells}
    assert {i: c.status for i, c in cells.items()} == {1: "ok", 2: "ok", 3: "excluded", 4: "excluded", 5: "ok"}, \
        [(c.index, c.ename, c.evalue) for c in record.cells]
    assert cells[3].reason == "horas de CPU" and cells[4].reason == "[[execution.skip]] treino-completo"
    manifest = json.loads((area.artifacts / "d1" / "manifest.json").read_text())
    assert [e["kind"] for e in manifest["compat"]] == ["torchvision"]
