"""Mode coverage on synthetic mixtures: VEEGAN/PacGAN high-quality counts, ALI's count, summaries over seeds."""

from __future__ import annotations

import math
import numbers

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


def mode_count_by_responsibility(samples: Tensor, means: Tensor, std: float | Tensor,
                                 n_required: int = 1) -> dict[str, int]:
    """The ALI paper's count: each sample (N, D) goes to the component of highest responsibility.

    The mixture has equal weights and isotropic components at means (K, D) with std a float or a (K,)
    tensor; with a shared std this is the nearest mean. A mode is covered when it gets >= n_required
    samples (the paper: 10,000 samples, a mode is dropped when it gets none).
    """
    samples, means = samples.detach().double().cpu(), means.detach().double().cpu()
    std = torch.as_tensor(std, dtype=torch.float64).cpu().expand(means.shape[0])
    if (std <= 0).any():
        raise ValueError("std must be > 0")
    # log N(x; mu_k, s_k^2 I) up to a constant shared by all k; equal weights drop out of the argmax.
    log_density = -torch.cdist(samples, means).pow(2) / (2 * std**2) - means.shape[1] * std.log()
    counts = torch.bincount(log_density.argmax(dim=1), minlength=means.shape[0])
    return {"modes_covered": int((counts >= n_required).sum()), "modes_total": int(means.shape[0])}


def aggregate_over_seeds(results: list[dict]) -> dict[str, dict[str, float]]:
    """Summarise per-seed metric dicts: for each numeric key, its mean, std, min, max and n.

    std is the sample standard deviation (ddof=1, as "mean +- std over runs" in the papers), 0.0 when n = 1.
    A key missing from some results is summarised over the results that have it; bools and non-numbers
    are skipped.
    """
    values: dict[str, list[float]] = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, numbers.Real) and not isinstance(value, bool):  # NumPy scalars count too
                values.setdefault(key, []).append(float(value))
    summary = {}
    for key, vs in values.items():
        n = len(vs)
        mean = sum(vs) / n
        std = math.sqrt(sum((v - mean) ** 2 for v in vs) / (n - 1)) if n > 1 else 0.0
        summary[key] = {"mean": mean, "std": std, "min": min(vs), "max": max(vs), "n": n}
    return summary
