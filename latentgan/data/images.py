"""Decoding image files into uint8 tensors: centre crop to a square, resize with Pillow."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from latentgan.data.base import DataError


def centre_box(width: int, height: int, fraction: float = 1.0) -> tuple[int, int, int, int]:
    """The centred square (left, top, right, bottom) whose side is fraction of the shorter side."""
    side = max(1, round(min(width, height) * fraction))
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def load_image(path: Path, resolution: int, channels: int = 3, crop_fraction: float = 1.0) -> np.ndarray:
    """One image as uint8 (channels, resolution, resolution): centre square crop, bilinear resize."""
    try:
        with Image.open(path) as image:
            image = image.convert("RGB" if channels == 3 else "L")
            image = image.crop(centre_box(*image.size, crop_fraction))
            image = image.resize((resolution, resolution), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError) as err:
        raise DataError(f"cannot read image {path} ({err}); delete or replace the file") from err
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def load_images(paths: Sequence[Path], resolution: int, channels: int = 3, crop_fraction: float = 1.0) -> torch.Tensor:
    """Decode many files in parallel threads into one uint8 tensor (N, channels, resolution, resolution)."""
    out = np.empty((len(paths), channels, resolution, resolution), dtype=np.uint8)
    workers = min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        decoded = pool.map(lambda p: load_image(p, resolution, channels, crop_fraction), paths)
        for i, array in enumerate(decoded):
            out[i] = array
    return torch.from_numpy(out)
