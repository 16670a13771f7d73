"""`latentgan fid A B`: FID between two folders of images, or between a run's samples and a folder.

Inception features follow latentgan.metrics.inception's convention (torch-fidelity's): each image is read as
RGB at its own size (grayscale tiled), quantised to 0..255 and resized to 299x299 with TF1's bilinear resize.
FIDs from clean-fid (a different resize) run ~20 % higher; compare FIDs of one convention only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor

from latentgan.commands.common import open_model, require_images
from latentgan.data.base import to_unit_range
from latentgan.devices import select_device
from latentgan.errors import InputError
from latentgan.images import read_image
from latentgan.metrics.features import FeatureExtractor, get_extractor
from latentgan.metrics.fid import fid_from_features

MIN_IMAGES = 2  # a covariance needs two images; FID on fewer than ~10,000 is biased upwards and says so


def _is_run(path: Path) -> bool:
    return (path / "run.json").is_file()


def _native_rgb(path: Path) -> Tensor | None:
    try:
        with Image.open(path) as image:
            return torch.from_numpy(np.asarray(image.convert("RGB")).copy()).permute(2, 0, 1)
    except (UnidentifiedImageError, OSError):
        return None


def folder_features(folder: str | Path, extractor: FeatureExtractor, like: tuple[int, int, int] | None) -> Tensor:
    """Features (N, D) of every image in folder; like=(C, H, W) converts and resizes first (classifier features)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of images")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    by_size: dict[tuple[int, ...], list[Tensor]] = {}
    for file in files:
        if like is None:
            pixels = _native_rgb(file)
        else:
            try:
                pixels = read_image(file, like)
            except InputError:
                pixels = None
        if pixels is not None:
            by_size.setdefault(tuple(pixels.shape), []).append(pixels)
    count = sum(len(v) for v in by_size.values())
    if count < MIN_IMAGES:
        raise InputError(f"{folder} holds {count} image(s); FID needs at least {MIN_IMAGES} (10,000 for a "
                         "figure comparable to papers')")
    # Images of one size go through the network together; Inception resizes each to 299 px anyway.
    return torch.cat([extractor(torch.stack(group).float() / 255.0) for group in by_size.values()])


def fid(a: str | Path, b: str | Path, n: int = 10_000, features: str = "inception", inception_path=None,
        device: str | None = None, seed: int = 0) -> tuple[float, int, int]:
    """FID between folder a (or n samples of run a) and folder b; returns (fid, count of a, count of b)."""
    a, b = Path(a), Path(b)
    if _is_run(b) and not _is_run(a):
        a, b = b, a
    select_device(device or "cpu")  # a missing GPU is named as such, not as an unreadable Inception file
    extractor = get_extractor(features, device or "cpu", inception_path)
    like = None if features == "inception" else (1, 28, 28)
    if _is_run(a):
        model = open_model(a, device)
        require_images(model, "fid")
        real = folder_features(b, extractor, like)
        generator = torch.Generator(device=model.device).manual_seed(seed)
        chunks = []
        for start in range(0, n, 250):
            x = to_unit_range(model.sample(min(250, n - start), generator=generator).cpu(),
                              model.data_shape.value_range).clamp(0, 1)
            chunks.append(extractor(x if like is None else _as_like(x, like)))
        fake = torch.cat(chunks)
    else:
        fake, real = folder_features(a, extractor, like), folder_features(b, extractor, like)
    return fid_from_features(real.numpy(), fake.numpy()), fake.shape[0], real.shape[0]


def _as_like(x: Tensor, like: tuple[int, int, int]) -> Tensor:
    if x.shape[1] != like[0] or tuple(x.shape[2:]) != like[1:]:
        raise InputError(f"classifier features read {like} images; this run samples {tuple(x.shape[1:])}")
    return x
