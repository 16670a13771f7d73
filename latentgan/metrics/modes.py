"""Mode coverage on synthetic mixtures (VEEGAN / PacGAN definitions)."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def mode_coverage(samples: Tensor, means: Tensor, std: float, threshold: float = 3.0) -> dict[str, float]:
    """Score samples (N, D) against true means (K, D) with shared std.

    Each sample goes to its nearest mean; it is high quality (HQ) within `threshold` std of it. A mode
    is captured when it has at least one HQ sample. reverse_kl is KL(HQ histogram || uniform over K).
    """
    samples, means = samples.detach().float().cpu(), means.detach().float().cpu()
    dist = torch.cdist(samples, means)
    nearest_dist, nearest = dist.min(dim=1)
    high_quality = nearest_dist <= threshold * std
    counts = torch.bincount(nearest[high_quality], minlength=means.shape[0]).float()
    k = means.shape[0]
    reverse_kl = float("nan")
    if counts.sum() > 0:
        p = counts / counts.sum()
        nz = p > 0
        reverse_kl = float((p[nz] * (p[nz] * k).log()).sum())
    return {
        "mean_distance_to_mode": float(nearest_dist.mean()),
        "high_quality_fraction": float(high_quality.float().mean()),
        "modes_captured": int((counts > 0).sum()),
        "modes_total": k,
        "reverse_kl": reverse_kl if not math.isnan(reverse_kl) else float("inf"),
    }
