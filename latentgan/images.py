"""A user's own image files in and out: a folder read into what a model reads, and images written as PNG files.

Reading is explicit: every image is converted to the model's channels (grayscale "L" or "RGB"), centre-cropped
to a square (`fit="crop"`) or stretched (`fit="stretch"`), and resized with Pillow's bicubic filter to the model's
size. Files that are not images are skipped and counted; a folder with no image at all is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor

from latentgan.errors import InputError

FITS = ("crop", "stretch")
_MODES = {1: "L", 3: "RGB"}


@dataclass
class ImageFolder:
    """Images read for a model: uint8 pixels (N, C, H, W), their file names, and the files skipped as non-images."""

    images: Tensor
    names: list[str]
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: how many images were read and how many files were skipped."""
        note = f"; skipped {len(self.skipped)} non-image file(s): {', '.join(self.skipped[:3])}" \
            f"{' ...' if len(self.skipped) > 3 else ''}" if self.skipped else ""
        return f"read {len(self.names)} image(s)" + note


def _target(like) -> tuple[int, int, int]:
    """(C, H, W) from a model, a DataShape or a shape tuple."""
    shape = getattr(getattr(like, "data_shape", like), "sample_shape", like)
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3 or shape[0] not in _MODES:
        raise InputError(f"images can be read only for a grayscale or RGB image model; this one reads {shape}")
    return shape


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError(f"no such file or folder: {path}")
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() \
        else [path]


def _fitted(image: Image.Image, size: tuple[int, int], fit: str) -> Image.Image:
    if fit == "crop" and image.width != image.height:
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    return image if image.size == size else image.resize(size, Image.Resampling.BICUBIC)


def read_image(path: str | Path, like, fit: str = "crop") -> Tensor:
    """One image file -> uint8 (C, H, W) converted and resized to what `like` (a model or shape) reads."""
    channels, height, width = _target(like)
    if fit not in FITS:
        raise InputError(f"unknown fit {fit!r}; choose one of {', '.join(FITS)}")
    try:
        with Image.open(path) as image:
            image = _fitted(image.convert(_MODES[channels]), (width, height), fit)
            pixels = np.asarray(image)
    except (UnidentifiedImageError, OSError) as e:
        raise InputError(f"{path} is not a readable image file") from e
    return torch.from_numpy(pixels.reshape(height, width, channels).copy()).permute(2, 0, 1)


def load_folder(path: str | Path, like, fit: str = "crop") -> ImageFolder:
    """Every image in a folder (or one image file), as `read_image` reads it; non-image files skipped and counted."""
    images, names, skipped = [], [], []
    for file in _files(Path(path)):
        try:
            images.append(read_image(file, like, fit))
            names.append(file.name)
        except InputError:
            skipped.append(file.name)
    if not images:
        found = f" ({len(skipped)} file(s), none an image)" if skipped else ""
        raise InputError(f"no images in {path}{found}; give a folder of PNG or JPEG files")
    return ImageFolder(torch.stack(images), names, skipped)


def to_uint8(images: Tensor, value_range: tuple[float, float]) -> Tensor:
    """Images (N, C, H, W) in value_range -> uint8 (N, C, H, W), rounded and clipped."""
    low, high = value_range
    return ((images.detach().float().cpu() - low) / (high - low) * 255.0).round().clamp(0, 255).to(torch.uint8)


def save_png_folder(images: Tensor, folder: str | Path, names: list[str] | None = None) -> list[Path]:
    """uint8 images (N, C, H, W) as one PNG each in folder (made if missing): names, or 000000.png, 000001.png ..."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = names or [f"{i:06d}.png" for i in range(images.shape[0])]
    written = []
    for pixels, name in zip(images, names, strict=True):
        array = pixels.permute(1, 2, 0).numpy()
        path = folder / (Path(name).stem + ".png")
        Image.fromarray(array[..., 0] if array.shape[2] == 1 else array).save(path)
        written.append(path)
    return written
