"""The torchvision substitute's ``transforms``: the few a course notebook uses, with torchvision's v1 semantics.

``Compose``, ``ToTensor``, ``Normalize``, ``RandomHorizontalFlip``, ``RandomRotation`` and
``RandomCrop``, on PIL images and on tensors (``C×H×W``, or with leading batch
dimensions), drawing their random numbers from torch's generator in the order torchvision
does (a seeded notebook gets the same flips, angles and crops as with the real library).
Used only where ``import torchvision`` fails (see :mod:`.vision`).

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`); torch,
NumPy and PIL are imported when a transform is first applied.
"""

import math
import numbers

from .events import say


# ------------------------------------------------------------------- transforms
def _is_tensor(img):
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(img, torch.Tensor)


def _pair(value, name):
    if isinstance(value, numbers.Number):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return (int(value[0]), int(value[0]))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (int(value[0]), int(value[1]))
    raise ValueError(f"{name} should be an int or a sequence of one or two ints, got {value!r}")


def _size_of(img):
    """``(height, width)`` of a PIL image or a ``...×H×W`` tensor."""
    if _is_tensor(img):
        return int(img.shape[-2]), int(img.shape[-1])
    width, height = img.size
    return height, width


class Compose:
    """Applies ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self):
        lines = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor:
    """A PIL image or an ``H×W×C`` array as a float tensor ``C×H×W`` (uint8 scaled to [0, 1])."""

    def __call__(self, pic):
        import numpy as np
        import torch

        if isinstance(pic, np.ndarray):
            if pic.ndim not in (2, 3):
                raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
            array = pic[:, :, None] if pic.ndim == 2 else pic
            tensor = torch.from_numpy(array.transpose((2, 0, 1)).copy()).contiguous()
            return tensor.to(torch.get_default_dtype()).div(255) if tensor.dtype == torch.uint8 else tensor
        if not hasattr(pic, "mode") or not hasattr(pic, "size"):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        dtypes = {"I": np.int32, "I;16": np.int16, "F": np.float32}
        array = np.array(pic, dtypes.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            array = 255 * array
        tensor = torch.from_numpy(array).view(pic.size[1], pic.size[0], len(pic.getbands()))
        tensor = tensor.permute((2, 0, 1)).contiguous()
        return tensor.to(torch.get_default_dtype()).div(255) if tensor.dtype == torch.uint8 else tensor

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """``(tensor - mean) / std`` per channel, on a float tensor ``...×C×H×W``."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        import torch

        if not _is_tensor(tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tuple(tensor.size())}")
        tensor = tensor if self.inplace else tensor.clone()
        mean = torch.as_tensor(self.mean, dtype=tensor.dtype, device=tensor.device)
        std = torch.as_tensor(self.std, dtype=tensor.dtype, device=tensor.device)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
        mean = mean.view(-1, 1, 1) if mean.ndim == 1 else mean
        std = std.view(-1, 1, 1) if std.ndim == 1 else std
        return tensor.sub_(mean).div_(std)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class RandomHorizontalFlip:
    """Mirrors the image left to right with probability ``p`` (one ``torch.rand(1)`` a call)."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        import torch

        if torch.rand(1) < self.p:
            if _is_tensor(img):
                return img.flip(-1)
            from PIL import Image

            return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


def _rotate_tensor(img, angle, fill):
    """``img`` (``...×C×H×W``) turned ``angle`` degrees counter-clockwise about its centre, nearest pixels."""
    import torch

    height, width = img.shape[-2:]
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    # output pixel (x, y), centred, comes from input (cos·x - sin·y, sin·x + cos·y) (y pointing down)
    ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float64) - (height - 1) / 2,
                            torch.arange(width, dtype=torch.float64) - (width - 1) / 2, indexing="ij")
    source_x = cos * xs - sin * ys + (width - 1) / 2
    source_y = sin * xs + cos * ys + (height - 1) / 2
    column, row = torch.floor(source_x + 0.5).long(), torch.floor(source_y + 0.5).long()
    inside = (column >= 0) & (column < width) & (row >= 0) & (row < height)
    flat = (row.clamp(0, height - 1) * width + column.clamp(0, width - 1)).reshape(-1)
    taken = img.reshape(*img.shape[:-2], height * width)[..., flat].reshape(img.shape)
    if fill is None:
        fill = 0
    values = torch.as_tensor(fill, dtype=img.dtype)
    values = values.view(-1, 1, 1) if values.ndim == 1 else values
    return torch.where(inside, taken, values)


class RandomRotation:
    """Turns the image by an angle drawn uniformly from ``degrees`` (one ``uniform_`` draw a call)."""

    def __init__(self, degrees, interpolation=None, expand=False, center=None, fill=0):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-float(degrees), float(degrees))
        elif isinstance(degrees, (tuple, list)) and len(degrees) == 2:
            degrees = (float(degrees[0]), float(degrees[1]))
        else:
            raise ValueError("If degrees is a sequence, it must be of len 2.")
        if expand or center is not None:
            raise NotImplementedError(say("kernel.vision.unsupported", name="RandomRotation(expand=/center=)"))
        self.degrees, self.interpolation, self.expand, self.center, self.fill = degrees, interpolation, expand, center, fill

    @staticmethod
    def get_params(degrees):
        import torch

        return float(torch.empty(1).uniform_(float(degrees[0]), float(degrees[1])).item())

    def __call__(self, img):
        angle = self.get_params(self.degrees)
        if _is_tensor(img):
            return _rotate_tensor(img, angle, self.fill)
        from PIL import Image

        bands = len(img.getbands())
        fill = self.fill
        fill = tuple([fill] * bands) if isinstance(fill, numbers.Number) and bands > 1 else fill
        fill = tuple(fill) if isinstance(fill, list) else fill
        return img.rotate(angle, Image.Resampling.NEAREST, expand=False, center=None, fillcolor=fill)

    def __repr__(self):
        return f"{type(self).__name__}(degrees={list(self.degrees)}, interpolation=nearest, expand=False, fill={self.fill})"


def _padding(padding):
    """``(left, top, right, bottom)`` from torchvision's int, 2- or 4-sequence."""
    if isinstance(padding, numbers.Number):
        return (int(padding),) * 4
    padding = [int(p) for p in padding]
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return (padding[0], padding[1], padding[0], padding[1])
    if len(padding) == 4:
        return tuple(padding)
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


def _pad(img, padding, fill, mode):
    import numpy as np

    left, top, right, bottom = _padding(padding)
    modes = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}
    if mode not in modes:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if _is_tensor(img):
        import torch

        if mode == "constant":
            return torch.nn.functional.pad(img, [left, right, top, bottom], mode="constant", value=float(fill or 0))
        widths = [(0, 0)] * (img.ndim - 2) + [(top, bottom), (left, right)]
        return torch.from_numpy(np.pad(img.numpy(), widths, mode=modes[mode]))
    from PIL import Image

    array = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    if mode == "constant":
        if isinstance(fill, (tuple, list)) and array.ndim == 3:
            channels = [np.pad(array[..., c], widths[:2], constant_values=fill[c]) for c in range(array.shape[2])]
            padded = np.stack(channels, axis=-1)
        else:
            padded = np.pad(array, widths, mode="constant", constant_values=fill or 0)
    else:
        padded = np.pad(array, widths, mode=modes[mode])
    return Image.fromarray(padded, mode=img.mode)


class RandomCrop:
    """A random ``size`` crop, after optional padding (two ``torch.randint`` draws, none when nothing to choose)."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _pair(size, "size")
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img, output_size):
        import torch

        height, width = _size_of(img)
        th, tw = output_size
        if height < th or width < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(height, width)}")
        if width == tw and height == th:
            return 0, 0, height, width
        i = torch.randint(0, height - th + 1, size=(1,)).item()
        j = torch.randint(0, width - tw + 1, size=(1,)).item()
        return i, j, th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = _pad(img, self.padding, self.fill, self.padding_mode)
        height, width = _size_of(img)
        if self.pad_if_needed and width < self.size[1]:
            img = _pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = _pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        if _is_tensor(img):
            return img[..., i:i + h, j:j + w]
        return img.crop((j, i, j + w, i + h))

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


TRANSFORMS = {cls.__name__: cls for cls in (Compose, ToTensor, Normalize, RandomHorizontalFlip, RandomRotation,
                                            RandomCrop)}
