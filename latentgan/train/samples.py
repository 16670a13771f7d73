"""Periodic sample pictures: the same latent codes at every step, so progress is visible."""

from __future__ import annotations

from pathlib import Path

import torch

from latentgan.data import Dataset
from latentgan.data.base import to_unit_range
from latentgan.models.base import GenerativeModel
from latentgan.viz.grid import save_image_grid
from latentgan.viz.points import save_points_plot


def fixed_generator(seed: int, device: torch.device) -> torch.Generator:
    """A private generator so drawing samples never moves the training RNG (exact resume)."""
    return torch.Generator(device=device).manual_seed(seed + 12345)


def save_samples(model: GenerativeModel, data: Dataset, run_dir: Path, step: int, n: int, seed: int) -> Path:
    """Write samples/step_XXXXXXX.png: an image grid, or a scatter over the true means for points."""
    samples = model.sample(n if data.is_image else 2000, generator=fixed_generator(seed, model.device))
    path = Path(run_dir) / "samples" / f"step_{step:07d}.png"
    if data.is_image:
        return save_image_grid(to_unit_range(samples, data.value_range), path)
    real = data.x[:2000].cpu()
    return save_points_plot(samples, path, modes=data.modes, real=real, title=f"step {step}")
