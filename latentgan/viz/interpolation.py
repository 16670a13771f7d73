"""Latent interpolations: paths between two codes, decoded into one row of images per pair."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor

from latentgan.data.base import to_unit_range
from latentgan.latent import MODES, interpolate_codes  # noqa: F401  (re-exported: one implementation)
from latentgan.viz.grid import save_image_grid


def interpolation_paths(pairs_of_codes: Tensor, steps: int, mode: str = "linear") -> Tensor:
    """Paths for pairs (P, 2, d): all codes row by row, (P * steps, d)."""
    if pairs_of_codes.dim() < 3 or pairs_of_codes.shape[1] != 2:
        raise ValueError(f"pairs_of_codes must be (P, 2, d), got {tuple(pairs_of_codes.shape)}")
    return torch.cat([interpolate_codes(p[0], p[1], steps, mode) for p in pairs_of_codes])


@torch.no_grad()
def save_interpolation_grid(decode_fn: Callable[[Tensor], Tensor], pairs_of_codes: Tensor, path: str | Path,
                            steps: int = 8, value_range: tuple[float, float] = (-1.0, 1.0), mode: str = "linear",
                            endpoints: Tensor | None = None) -> Path:
    """Decode the path between each pair of codes (P, 2, d) into one row of `steps` images; save a PNG.

    decode_fn maps codes (M, d) to images (M, C, H, W) in value_range (e.g. model.decode or a generator).
    Codes may come from the prior or from encode(x) of real images; for the latter, pass the images as
    endpoints (P, 2, C, H, W) in value_range to show them at both ends of their row.
    """
    codes = interpolation_paths(pairs_of_codes, steps, mode)
    images = decode_fn(codes)
    if images.dim() != 4:
        raise ValueError(f"decode_fn must return images (M, C, H, W), got shape {tuple(images.shape)}")
    rows = images.reshape(pairs_of_codes.shape[0], steps, *images.shape[1:]).cpu()
    if endpoints is not None:
        if endpoints.shape[:2] != (pairs_of_codes.shape[0], 2) or endpoints.shape[2:] != images.shape[1:]:
            raise ValueError(f"endpoints must be (P, 2, C, H, W) = ({pairs_of_codes.shape[0]}, 2, "
                             f"{', '.join(map(str, images.shape[1:]))}), got {tuple(endpoints.shape)}")
        ends = endpoints.detach().cpu().to(rows.dtype)
        rows = torch.cat([ends[:, :1], rows, ends[:, 1:]], dim=1)
    unit = to_unit_range(rows.reshape(-1, *images.shape[1:]), value_range)
    return save_image_grid(unit, path, nrow=rows.shape[1])
