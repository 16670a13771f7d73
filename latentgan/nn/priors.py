"""Latent priors: standard normal N(0, I) and uniform U[-1, 1]^d (BiGAN, IVE-GAN, the growing thesis)."""

from __future__ import annotations

import torch
from torch import Tensor

PRIORS = ("normal", "uniform")


def sample_prior(name: str, n: int, dim: int, device: torch.device | str = "cpu",
                 generator: torch.Generator | None = None) -> Tensor:
    """Draw (n, dim) latent codes from the named prior on `device`."""
    if name == "normal":
        return torch.randn(n, dim, device=device, generator=generator)
    if name == "uniform":
        return torch.rand(n, dim, device=device, generator=generator) * 2.0 - 1.0
    raise ValueError(f"unknown prior '{name}'; choose one of: {', '.join(PRIORS)}")
