"""The torchvision substitute (grader/execute/compat/vision*.py): transforms, CIFAR10, and when it is used."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from PIL import Image  # noqa: E402

from grader.cifar10 import CLASSES, SyntheticCifar10, synthetic_arrays, write_synthetic_cifar10  # noqa: E402
from grader.execute.compat import vision_transforms as T  # noqa: E402
from grader.execute.compat.events import _Recorder  # noqa: E402
from grader.execute.compat.vision import SUBSTITUTE_VERSION, _TorchvisionFinder  # noqa: E402
from grader.execute.compat.vision_datasets import _cifar10_class  # noqa: E402

PIXELS = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 4  # H=4, W=5, RGB


def image():
    return Image.fromarray(PIXELS.copy())


def test_to_tensor_scales_a_pil_image_and_an_array_to_chw_floats():
    for source in (image(), PIXELS.copy()):
        tensor = T.ToTensor()(source)
        assert tensor.dtype == torch.float32 and tuple(tensor.shape) == (3, 4, 5)
        assert tensor[1, 2, 3].item() == pytest.approx(PIXELS[2, 3, 1] / 255)
    floats = np.zeros((2, 2, 1), np.float32) + 7
    assert T.ToTensor()(floats)[0, 0, 0].item() == 7  # not scaled: only uint8 is


def test_normalize_subtracts_and_divides_per_channel_without_touching_its_input():
    tensor = torch.ones(3, 2, 2)
    out = T.Normalize((0.5, 0.25, 0.0), (0.5, 0.25, 2.0))(tensor)
    assert out[:, 0, 0].tolist() == [1.0, 3.0, 0.5] and tensor.eq(1).all()
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize((0,), (1,))(torch.ones(1, 2, 2, dtype=torch.uint8))
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize((0,), (0,))(torch.ones(1, 2, 2))


def test_flip_draws_one_number_like_torchvision_and_flips_pil_and_tensor_alike():
    torch.manual_seed(0)
    draws = torch.rand(3).tolist()  # 0.50, 0.77, 0.09: flip only when below p
    torch.manual_seed(0)
    flip = T.RandomHorizontalFlip(p=0.6)
    results = [np.asarray(flip(image())) for _ in draws]
    for draw, result in zip(draws, results):
        assert (result == (PIXELS[:, ::-1] if draw < 0.6 else PIXELS)).all()
    torch.manual_seed(0)
    tensor = torch.from_numpy(PIXELS.transpose(2, 0, 1).copy())
    assert flip(tensor).flip(-1).equal(tensor) == (draws[0] < 0.6)


def test_rotation_draws_its_angle_as_torchvision_and_pil_and_tensor_agree():
    torch.manual_seed(3)
    angle = float(torch.empty(1).uniform_(-10.0, 10.0).item())
    torch.manual_seed(3)
    assert T.RandomRotation.get_params((-10.0, 10.0)) == angle
    square = np.random.default_rng(0).integers(1, 255, (32, 32, 3), dtype=np.uint8)
    rotate = T.RandomRotation((90, 90))  # a quarter turn, counter-clockwise: exact for both
    turned = np.asarray(rotate(Image.fromarray(square)))
    assert (turned == np.rot90(square)).all()
    tensor = rotate(torch.from_numpy(square.transpose(2, 0, 1).copy()))
    assert (tensor.numpy().transpose(1, 2, 0) == turned).all()
    small = np.asarray(T.RandomRotation(10)(Image.fromarray(square)))
    assert small.shape == square.shape and small.dtype == np.uint8


def test_random_crop_pads_with_zeros_and_draws_row_then_column():
    crop = T.RandomCrop(32, padding=4)
    torch.manual_seed(7)
    i, j = torch.randint(0, 9, size=(1,)).item(), torch.randint(0, 9, size=(1,)).item()
    source = np.full((32, 32, 3), 200, np.uint8)
    torch.manual_seed(7)
    out = np.asarray(crop(Image.fromarray(source)))
    padded = np.pad(source, ((4, 4), (4, 4), (0, 0)))
    assert (out == padded[i:i + 32, j:j + 32]).all()
    torch.manual_seed(7)
    tensor = crop(torch.from_numpy(source.transpose(2, 0, 1).copy()))
    assert (tensor.numpy().transpose(1, 2, 0) == out).all()
    torch.manual_seed(7)
    T.RandomCrop(4)(image().crop((0, 0, 4, 4)))  # nothing to choose: no number drawn
    assert torch.rand(1).item() == pytest.approx((torch.manual_seed(7), torch.rand(1).item())[1])


def test_compose_applies_in_order_and_prints_like_torchvision():
    pipeline = T.Compose([T.ToTensor(), T.Normalize((0.5,) * 3, (0.5,) * 3)])
    out = pipeline(image())
    assert out[0, 0, 0].item() == pytest.approx((PIXELS[0, 0, 0] / 255 - 0.5) / 0.5)
    assert repr(pipeline).splitlines() == ["Compose(", "    ToTensor()",
                                           "    Normalize(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))", ")"]


@pytest.fixture(scope="module")
def cifar_folder(tmp_path_factory):
    spec = SyntheticCifar10(train_counts=(3, 1, 2, 0, 1, 1, 1, 1, 1, 4), test_counts=(1,) * 10, seed=5)
    data = write_synthetic_cifar10(tmp_path_factory.mktemp("cifar"), spec)
    return data.folder, spec


def test_cifar10_reads_the_grader_folder_as_torchvision_does(cifar_folder):
    folder, spec = cifar_folder
    CIFAR10 = _cifar10_class(folder)
    train = CIFAR10(root="./data", train=True, download=True)
    expected, expected_test = synthetic_arrays(spec)
    assert train.data.dtype == np.uint8 and train.data.shape == (15, 32, 32, 3)
    assert (train.data == expected.images).all() and train.targets == expected.labels.tolist()
    assert all(type(t) is int for t in train.targets) and train.classes == list(CLASSES)
    assert train.class_to_idx["truck"] == 9 and len(train) == 15 and train.root == "./data"
    img, target = train[0]
    assert isinstance(img, Image.Image) and img.size == (32, 32) and target == expected.labels[0]
    test = CIFAR10("./data", train=False, transform=T.ToTensor(), target_transform=lambda t: t + 100)
    tensor, target = test[2]
    assert tuple(tensor.shape) == (3, 32, 32) and target == expected_test.labels[2] + 100
    assert "Split: Test" in repr(test) and "ToTensor()" in repr(test)
    loader = torch.utils.data.DataLoader(torch.utils.data.Subset(test, [0, 1, 2, 3]), batch_size=2)
    images, labels = next(iter(loader))
    assert tuple(images.shape) == (2, 3, 32, 32) and labels.dtype == torch.int64


def test_cifar10_without_the_instructors_folder_says_so():
    with pytest.raises(RuntimeError, match="não forneceu o CIFAR-10"):
        _cifar10_class(None)(root="./data", download=True)


@pytest.fixture
def import_torchvision(monkeypatch, tmp_path):
    """``install(folder, package_source)``: the finder on the meta path, and a fake torchvision when given."""
    recorder = _Recorder()

    def install(folder, package=None):
        if package is not None:
            for relative, text in package.items():
                path = tmp_path / "site" / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(textwrap.dedent(text), encoding="utf-8")
            monkeypatch.syspath_prepend(str(tmp_path / "site"))
        monkeypatch.setattr(sys, "meta_path", [_TorchvisionFinder(folder, recorder)] + sys.meta_path)
        import torchvision

        return torchvision, recorder.events

    yield install
    for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
        del sys.modules[name]


def test_a_torchvision_that_fails_to_import_becomes_the_substitute_once(import_torchvision, cifar_folder):
    broken = {"torchvision/__init__.py": """
        from torchvision import _meta
        """, "torchvision/_meta.py": """
        raise RuntimeError("operator torchvision::nms does not exist")
        """}
    torchvision, events = import_torchvision(cifar_folder[0], broken)
    from torchvision import datasets, transforms

    assert torchvision.__version__ == SUBSTITUTE_VERSION and "torchvision._meta" not in sys.modules
    assert len(datasets.CIFAR10("./x", download=True)) == 15 and transforms.ToTensor.__module__ == "torchvision.transforms"
    assert [(e["kind"], e["detail"]) for e in events] == [("torchvision", "RuntimeError: operator torchvision::nms does not exist")]
    with pytest.raises(ModuleNotFoundError, match="substituto do torchvision"):
        import torchvision.models  # noqa: F401
    with pytest.raises(AttributeError, match="transforms.Resize"):
        transforms.Resize


def test_a_missing_torchvision_becomes_the_substitute(import_torchvision, cifar_folder):
    torchvision, events = import_torchvision(cifar_folder[0])
    assert torchvision.datasets.CIFAR10 and events[0]["detail"] == "torchvision is not installed"


def test_a_working_torchvision_reads_the_grader_folder_and_never_downloads(import_torchvision, cifar_folder):
    """A stand-in for the real library's CIFAR10 (md5 checked, download on request) gets redirected."""
    real = {"torchvision/__init__.py": "from torchvision import datasets\n",
            "torchvision/datasets/__init__.py": "from .cifar import CIFAR10, CIFAR100\n",
            "torchvision/datasets/cifar.py": """
        import os

        def check_integrity(fpath, md5=None):
            return False  # the synthetic files never have torchvision's md5

        class CIFAR10:
            base_folder = "cifar-10-batches-py"

            def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
                if download:
                    raise OSError("network used")
                if not check_integrity(os.path.join(root, self.base_folder, "test_batch"), "x"):
                    raise RuntimeError("Dataset not found or corrupted.")
                self.root = root

        class CIFAR100(CIFAR10):
            base_folder = "cifar-100-python"
        """}
    torchvision, events = import_torchvision(cifar_folder[0], real)
    from torchvision.datasets import CIFAR10, CIFAR100

    assert CIFAR10("./data", download=True).root + "/cifar-10-batches-py" == cifar_folder[0] and events == []
    with pytest.raises(OSError, match="network"):
        CIFAR100("./data", download=True)  # not redirected: torchvision's own behaviour
