"""The judge process: a grader-made synthetic CIFAR-10 through the torchvision substitute, never the instructor's."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from grader.cifar10 import JUDGE_SET, synthetic_arrays, write_synthetic_cifar10  # noqa: E402
from grader.execute.sandbox import resolve_sandbox  # noqa: E402
from grader.inspect.judge import Judge, JudgeSetup  # noqa: E402
from grader.spec import ExecutionSettings  # noqa: E402


def test_the_judge_reads_its_own_synthetic_cifar10_and_is_seeded(tmp_path):
    instructor = write_synthetic_cifar10(tmp_path / "instructor")  # what kernels read; the judge must not
    targets = synthetic_arrays(JUDGE_SET)[0].labels.tolist()
    definitions = "\n".join([
        "import os",
        "import torch",
        "from torchvision import datasets, transforms",
        "train = datasets.CIFAR10(root='./data', train=True, download=True, transform=transforms.ToTensor())",
        f"assert len(train) == {len(targets)} and train.targets == {targets!r}",
        "assert tuple(train[0][0].shape) == (3, 32, 32)",
        "assert torch.initial_seed() == 7",
        f"assert not os.path.exists({instructor.folder!r}) or {resolve_sandbox('auto').bubblewrap is None!r}",
    ])
    settings = ExecutionSettings(seed=7, cifar10=instructor)
    setup = JudgeSetup(tmp_path / "judge", resolve_sandbox("auto"), settings, definitions,
                       hidden=(tmp_path / "instructor",), cifar10=JUDGE_SET)
    with Judge(setup) as judge:
        judge._start()
        assert judge.failed_statements == []
