"""Operations on latent codes shared by models, figures and the explorer: paths between codes and projection."""

from __future__ import annotations

import torch
from torch import Tensor


def project_codes(z: Tensor, projection: str) -> Tensor:
    """z: (N, d) onto the unit sphere (z / ||z||) or the unit ball (z / max(||z||, 1))."""
    norm = z.norm(dim=1, keepdim=True)
    if projection == "sphere":
        return z / norm.clamp_min(1e-12)
    return z / norm.clamp_min(1.0)


def lerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Straight-line codes between flat codes a, b (d,) at fractions t (T,): (T, d)."""
    t = t.to(a.dtype)[:, None]
    return (1 - t) * a + t * b


def slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Great-circle codes between flat codes a, b (d,) at fractions t (T,): (T, d) (White 2016).

    (Anti)parallel codes have no unique great circle; the straight line is the limit there, so no NaN.
    """
    t = t.to(a.dtype)
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if omega.abs() < 1e-6:
        return lerp(a, b, t)
    return (torch.sin((1 - t) * omega)[:, None] * a + torch.sin(t * omega)[:, None] * b) / torch.sin(omega)
