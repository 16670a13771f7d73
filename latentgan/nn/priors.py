"""Latent priors: standard normal N(0, I) and uniform U[-1, 1]^d (BiGAN, IVE-GAN, the growing thesis)."""

from __future__ import annotations

import torch
from torch import Tensor

from latentgan import rng

PRIORS = ("normal", "uniform")


def sample_prior(name: str, n: int, dim: int, device: torch.device | str = "cpu",
                 generator: torch.Generator | None = None) -> Tensor:
    """Draw (n, dim) latent codes from the named prior on `device` (a generator of any device will do)."""
    if name == "normal":
        return rng.randn((n, dim), generator, device)
    if name == "uniform":
        return rng.rand((n, dim), generator, device) * 2.0 - 1.0
    raise ValueError(f"unknown prior '{name}'; choose one of: {', '.join(PRIORS)}")


# Per-coordinate variance of each prior: N(0, 1) and U(-1, 1).
PRIOR_VARIANCE = {"normal": 1.0, "uniform": 1.0 / 3.0}


def moment_penalty(codes: Tensor, prior: str) -> Tensor:
    """||mean||^2 + ||cov - var I||_F^2 of a batch of codes (N, d) against the named prior's first two moments."""
    centred = codes - codes.mean(dim=0)
    cov = centred.T @ centred / max(codes.shape[0] - 1, 1)
    target = PRIOR_VARIANCE[prior] * torch.eye(codes.shape[1], device=codes.device, dtype=codes.dtype)
    return codes.mean(dim=0).pow(2).sum() + (cov - target).pow(2).sum()
