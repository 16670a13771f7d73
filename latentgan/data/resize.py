"""Explicit image geometry applied at load time: centred zero padding and antialiased resizing."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from latentgan.data.base import DataError

_CHUNK = 2048


def pad_to(x: Tensor, size: int) -> Tensor:
    """Zero-pad uint8 images (N, C, H, W) to (N, C, size, size), the original centred (28 -> 32)."""
    h, w = x.shape[-2:]
    if size < h or size < w:
        raise DataError(f"pad_to={size} is smaller than the images ({h}x{w}); use resize to shrink them")
    top, left = (size - h) // 2, (size - w) // 2
    return F.pad(x, (left, size - w - left, top, size - h - top), value=0)


def resize(x: Tensor, size: int) -> Tensor:
    """Resize uint8 images (N, C, H, W) to (N, C, size, size): bilinear with antialias, rounded back to uint8."""
    if size < 1:
        raise DataError(f"resize must be a positive image size, got {size}")
    if tuple(x.shape[-2:]) == (size, size):
        return x
    out = torch.empty((*x.shape[:2], size, size), dtype=torch.uint8, device=x.device)
    for start in range(0, x.shape[0], _CHUNK):
        chunk = x[start:start + _CHUNK].float()
        scaled = F.interpolate(chunk, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        out[start:start + _CHUNK] = scaled.round().clamp(0, 255).to(torch.uint8)
    return out
