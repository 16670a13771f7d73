"""Synthetic 2-D point sets: the ring and grid Gaussian mixtures (with their true modes) and the Swiss roll."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import make_swiss_roll

from latentgan.data.base import Dataset
from latentgan.data.spec import DatasetSpec, require

_SPLIT_STREAM = {"train": 0, "test": 1}


def split_rng(seed: int, split: str) -> np.random.Generator:
    """An independent random stream per (seed, split), so train and test never share points."""
    return np.random.default_rng([seed, _SPLIT_STREAM[split]])


def ring_means(n_modes: int, radius: float) -> np.ndarray:
    """Means of n_modes components evenly spaced on a circle: (n_modes, 2)."""
    angles = 2 * math.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_means(size: int, spacing: float) -> np.ndarray:
    """Means on a size x size grid centred at 0 (row-major): (size**2, 2); 5, 2.0 -> {-4,...,4}^2."""
    axis = (np.arange(size) - (size - 1) / 2) * spacing
    gx, gy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def sample_mixture(name: str, means: np.ndarray, std: float, n_points: int, rng: np.random.Generator) -> Dataset:
    """Draw n_points from an equal-weight isotropic Gaussian mixture; y = component index."""
    component = rng.integers(0, len(means), size=n_points)
    points = means[component] + std * rng.standard_normal((n_points, means.shape[1]))
    return Dataset(
        name=name,
        x=torch.from_numpy(points.astype(np.float32)),
        y=torch.from_numpy(component.astype(np.int64)),
        modes=torch.from_numpy(means.astype(np.float32)),
        mode_std=float(std),
    )


def _check_common(std: float, n_points: int) -> None:
    require(std >= 0, f"std must be >= 0, got {std}")
    require(n_points >= 1, f"n_points must be >= 1, got {n_points}")


def build_ring(root: Path | None, split: str, seed: int, n_modes: int = 8, radius: float = 2.0,
               std: float = 0.02, n_points: int = 100_000) -> Dataset:
    """Ring of n_modes Gaussians of the given radius and std (VEEGAN/PacGAN benchmark)."""
    require(n_modes >= 1, f"n_modes must be >= 1, got {n_modes}")
    require(radius > 0, f"radius must be > 0, got {radius}")
    _check_common(std, n_points)
    return sample_mixture("ring", ring_means(n_modes, radius), std, n_points, split_rng(seed, split))


def build_grid(root: Path | None, split: str, seed: int, size: int = 5, spacing: float = 2.0,
               std: float = 0.05, n_points: int = 100_000) -> Dataset:
    """size x size grid of Gaussians centred at 0 (25 modes at {-4,-2,0,2,4}^2 by default)."""
    require(size >= 1, f"size must be >= 1, got {size}")
    require(spacing > 0, f"spacing must be > 0, got {spacing}")
    _check_common(std, n_points)
    return sample_mixture("grid", grid_means(size, spacing), std, n_points, split_rng(seed, split))


def build_swissroll(root: Path | None, split: str, seed: int, noise: float = 0.5,
                    n_points: int = 100_000, scale: float = 1.0) -> Dataset:
    """scikit-learn's Swiss roll projected to (x, z), times scale; y = position t along the roll, (N, 1) float."""
    require(noise >= 0, f"noise must be >= 0, got {noise}")
    require(n_points >= 1, f"n_points must be >= 1, got {n_points}")
    require(scale > 0, f"scale must be > 0, got {scale}")
    state = np.random.RandomState(split_rng(seed, split).integers(2**31))
    points, t = make_swiss_roll(n_samples=n_points, noise=noise, random_state=state)
    xz = (points[:, [0, 2]] * scale).astype(np.float32)
    t = torch.from_numpy(t.astype(np.float32)).unsqueeze(1)  # (N, 1): a float attribute, not a class
    return Dataset(name="swissroll", x=torch.from_numpy(xz), y=t)


SPECS = [
    DatasetSpec(
        name="ring", kind="points",
        description="2-D ring of 8 Gaussians (radius 2, std 0.02), true modes known",
        source="generated from the seed; nothing to download",
        builder=build_ring, options={"n_modes": 8, "radius": 2.0, "std": 0.02, "n_points": 100_000},
    ),
    DatasetSpec(
        name="grid", kind="points",
        description="2-D 5x5 grid of Gaussians at {-4,-2,0,2,4}^2 (std 0.05), true modes known",
        source="generated from the seed; nothing to download",
        builder=build_grid, options={"size": 5, "spacing": 2.0, "std": 0.05, "n_points": 100_000},
    ),
    DatasetSpec(
        name="swissroll", kind="points",
        description="2-D Swiss roll (scikit-learn make_swiss_roll, (x, z) projection); y = roll position t (N, 1)",
        source="generated from the seed with scikit-learn; nothing to download",
        builder=build_swissroll, options={"noise": 0.5, "n_points": 100_000, "scale": 1.0},
    ),
]
