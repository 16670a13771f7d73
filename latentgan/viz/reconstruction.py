"""Reconstruction grids: each original beside its reconstruction, in alternating columns (as in the ALI paper)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor

from latentgan.viz.grid import save_image_grid


def interleave_pairs(originals: Tensor, reconstructions: Tensor) -> Tensor:
    """Stack (N, C, H, W) originals and reconstructions as (2N, C, H, W): x0, x0_rec, x1, x1_rec, ..."""
    if originals.shape != reconstructions.shape or originals.dim() != 4:
        raise ValueError(f"originals {tuple(originals.shape)} and reconstructions {tuple(reconstructions.shape)} "
                         "must both be (N, C, H, W) with the same shape")
    n = originals.shape[0]
    pairs = torch.stack([originals.detach().cpu(), reconstructions.detach().cpu()], dim=1)
    return pairs.reshape(2 * n, *originals.shape[1:])


def save_reconstruction_grid(originals: Tensor, reconstructions: Tensor, path: str | Path,
                             pairs_per_row: int = 8, padding: int = 2) -> Path:
    """Save originals and reconstructions (N, C, H, W) in [0, 1] as a PNG with alternating columns.

    Column 2k holds an original and column 2k+1 its reconstruction; a row holds `pairs_per_row` pairs
    (fewer when N is smaller), so the width is 2 * pairs * (W + padding) + padding.
    """
    if pairs_per_row < 1:
        raise ValueError(f"pairs_per_row must be >= 1, got {pairs_per_row}")
    images = interleave_pairs(originals, reconstructions)
    pairs = min(pairs_per_row, originals.shape[0])
    return save_image_grid(images, path, nrow=2 * pairs, padding=padding)


def save_encoder_pictures(decode, x: Tensor, codes: Tensor, value_range: tuple[float, float], recon_path: str | Path,
                          interp_path: str | Path, recon_n: int, pairs: int) -> list[Path]:
    """Real images x beside decode(codes) for the first recon_n, and the decoded paths between the codes of the first
    `pairs` pairs with the real images at both ends: what a model with an encoder shows of held-out data."""
    from latentgan.data.base import to_unit_range
    from latentgan.viz.interpolation import save_interpolation_grid

    recon = decode(codes[:recon_n])
    ends = x[:2 * pairs]
    return [save_reconstruction_grid(to_unit_range(x[:recon_n], value_range), to_unit_range(recon, value_range),
                                     recon_path),
            save_interpolation_grid(decode, codes[:2 * pairs].reshape(pairs, 2, -1), interp_path,
                                    value_range=value_range, endpoints=ends.reshape(pairs, 2, *ends.shape[1:]))]
