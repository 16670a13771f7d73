"""The latent-growing CNN cards' figures: block random walks (Figs. 10-20), coordinate-axis walks (Figs. 21-26) and
parameters in use over training (Fig. 27)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor

import latentgan
from latentgan.data.base import to_unit_range
from latentgan.experiments.grow_common import read_records
from latentgan.metrics.latent_order import default_blocks
from latentgan.nn.eval_mode import eval_mode
from latentgan.viz.grid import save_image_grid
from latentgan.viz.interpolation import interpolate_codes
from latentgan.viz.save import new_figure, save_figure


def block_walk(decode, latent_dim: int, block: tuple[int, int], points: int = 5, steps: int = 4,
               seed: int = 0) -> Tensor:
    """Figs. 10-19: `points` codes differing only in one block (1-based, inclusive), linearly interpolated in turn."""
    gen = torch.Generator().manual_seed(seed)
    codes = torch.randn(1, latent_dim, generator=gen).repeat(points, 1)
    codes[:, block[0] - 1:block[1]] = torch.randn(points, block[1] - block[0] + 1, generator=gen)
    path = torch.cat([interpolate_codes(a, b, steps + 1)[:-1] for a, b in zip(codes[:-1], codes[1:], strict=True)]
                     + [codes[-1:]])
    with torch.no_grad():
        return decode(path)


def axis_walk(decode, latent_dim: int, axis: int, points: int = 8, seed: int = 0) -> Tensor:
    """Figs. 21-26: one coordinate of a unit-length code set to +-2 prior std (+-2/sqrt(d)), the rest fixed."""
    code = torch.randn(latent_dim, generator=torch.Generator().manual_seed(seed))
    codes = (code / code.norm()).repeat(points, 1)
    codes[:, axis - 1] = torch.linspace(-2.0, 2.0, points) / math.sqrt(latent_dim)
    with torch.no_grad():
        return decode(codes)  # decode renormalises to unit length, as the prior's codes are


def save_walk_figures(run_dir: Path, out: Path, label: str, axes: list[int]) -> list[Path]:
    """Block random walks (one row per block) and coordinate-axis walks (one row per axis) of a trained run."""
    model = latentgan.load(run_dir)
    dim = model.config.latent_dim
    with eval_mode(model):
        # An 8-d space is walked as a whole (Fig. 20); larger ones block by block (Figs. 10-19).
        blocks = [block_walk(model.decode, dim, b) for b in (default_blocks(dim) if dim > 8 else [(1, dim)])]
        paths = [save_image_grid(to_unit_range(torch.cat(blocks), (-1.0, 1.0)), out / f"walk-blocks-{label}.png",
                                 nrow=len(blocks[0]))]
        axes = [a for a in axes if a <= dim]
        if axes:
            walks = torch.cat([axis_walk(model.decode, dim, a) for a in axes])
            paths.append(save_image_grid(to_unit_range(walks, (-1.0, 1.0)), out / f"walk-axes-{label}.png", nrow=8))
    return paths


def save_params_figure(runs: dict[str, Path], path: Path) -> Path:
    """Figure 27: active parameters of G and D over training, one line per variant, log scale as Fig. 27a."""
    fig = new_figure(5.0, 3.2)
    ax = fig.subplots()
    for name, run in runs.items():
        points = [(r["step"], r["params_active"]) for r in read_records(run) if "params_active" in r]
        if points:
            ax.plot(*zip(*points, strict=True), label=name, linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("parameters in use (G + D)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)
