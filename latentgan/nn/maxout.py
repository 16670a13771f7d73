"""Maxout units (Goodfellow et al., 2013), as used in ALI's discriminators."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class Maxout(nn.Module):
    """Max over groups of `pieces` consecutive channels: (N, k*C, ...) -> (N, C, ...).

    Works for features (N, k*D) and feature maps (N, k*C, H, W) alike; the layer before it
    must produce `pieces` times the units wanted.
    """

    def __init__(self, pieces: int) -> None:
        super().__init__()
        if pieces < 1:
            raise ValueError(f"Maxout needs pieces >= 1, got {pieces}")
        self.pieces = pieces

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() < 2:
            raise ValueError(f"Maxout expects input of shape (N, C, ...), got {tuple(x.shape)}")
        channels = x.shape[1]
        if channels % self.pieces:
            raise ValueError(
                f"Maxout({self.pieces}) needs dim 1 divisible by {self.pieces}, got {channels} "
                f"(input shape {tuple(x.shape)})"
            )
        # Consecutive channels [j*k, (j+1)*k) form unit j, so a plain reshape groups them.
        grouped = x.reshape(x.shape[0], channels // self.pieces, self.pieces, *x.shape[2:])
        return torch.amax(grouped, dim=2)

    def extra_repr(self) -> str:
        return f"pieces={self.pieces}"
