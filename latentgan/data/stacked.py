"""Stacked MNIST: three random digits in the R, G, B channels, 1,000 modes (VEEGAN / PacGAN benchmark)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from latentgan.data.base import Dataset
from latentgan.data.mixtures import split_rng
from latentgan.data.spec import DatasetSpec, require

SOURCES = ("mnist5k", "mnist", "fashion-mnist", "kmnist", "digits")


def stack_digits(x: torch.Tensor, y: torch.Tensor, picks: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack grayscale images x (M, 1, H, W) by index triples picks (N, 3) -> (N, 3, H, W), labels 100a+10b+c."""
    index = torch.from_numpy(picks)
    images = x[:, 0][index]
    digits = y[index]
    return images, digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]


def build_stacked(root: Path | None, split: str, seed: int, source: str = "mnist5k", n: int = 50_000, *,
                  load: Callable[..., Dataset]) -> Dataset:
    """n colour images whose channels are independent uniformly drawn digits of the source split (read by `load`)."""
    require(source in SOURCES, f"stacked-mnist source must be one of {', '.join(SOURCES)}, got {source!r}")
    require(n >= 1, f"stacked-mnist n must be >= 1, got {n}")
    digits = load(source, root=root, split=split, seed=seed)
    picks = split_rng(seed, split).integers(0, len(digits), size=(n, 3))
    x, y = stack_digits(digits.x, digits.y, picks)
    return Dataset(name="stacked-mnist", x=x, y=y, class_names=[f"{k:03d}" for k in range(1000)],
                   info={"source": source})


SPECS = [
    DatasetSpec(
        name="stacked-mnist", kind="image",
        description="three random digits stacked as R, G, B channels, 1,000 modes (label 100r+10g+b)",
        source="built from the `source` dataset's split (default mnist5k, offline); root is passed to the source",
        builder=build_stacked, options={"source": "mnist5k", "n": 50_000}, derived=True,
    ),
]
