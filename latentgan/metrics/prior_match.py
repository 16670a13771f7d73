"""How well an encoder's aggregate posterior q(z) matches a standard normal prior, by moment matching."""

from __future__ import annotations

import torch
from torch import Tensor


def gaussian_kl_to_standard_normal(codes: Tensor) -> float:
    """KL(N(mean, cov) || N(0, I)) for the Gaussian with the codes' (N, d) mean and covariance; 0 when they match.

    Holes or clusters inside q(z) that keep its first two moments are invisible to it; the paper's Figure 8 shows
    those in pictures.
    """
    z = codes.detach().double().cpu()
    if z.dim() != 2 or z.shape[0] <= z.shape[1]:
        raise ValueError(f"need codes (N, d) with N > d to estimate a covariance, got {tuple(z.shape)}")
    mean, cov = z.mean(0), torch.cov(z.T).reshape(z.shape[1], z.shape[1])
    return float(0.5 * (cov.trace() + mean @ mean - z.shape[1] - torch.linalg.slogdet(cov)[1]))
