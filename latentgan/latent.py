"""Operations on latent codes shared by models, figures, the explorer and the report: paths and projection."""

from __future__ import annotations

import torch
from torch import Tensor


def project_codes(z: Tensor, projection: str) -> Tensor:
    """z: (N, d) onto the unit sphere (z / ||z||) or the unit ball (z / max(||z||, 1))."""
    norm = z.norm(dim=1, keepdim=True)
    if projection == "sphere":
        return z / norm.clamp_min(1e-12)
    return z / norm.clamp_min(1.0)


MODES = ("linear", "slerp")
_ALIASES = {"spherical": "slerp"}  # the explorer's page calls slerp "spherical"


def path_at(a: Tensor, b: Tensor, t: Tensor, mode: str = "linear") -> Tensor:
    """Codes on the path a -> b (each (d,)) at fractions t (T,): (T, d).

    "slerp" follows the great circle (White 2016), which keeps the norm of equal-norm codes, so paths between
    Gaussian codes stay where the prior puts its mass instead of cutting through the origin.
    """
    mode = _ALIASES.get(mode, mode)
    if mode not in MODES:
        raise ValueError(f"unknown interpolation mode {mode!r}; choose one of {', '.join(MODES)}")
    t = t.to(a.dtype)[:, None]
    if mode == "linear":
        return a + t * (b - a)
    cos = (torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    if omega.abs() < 1e-6:  # (nearly) parallel codes: the great circle is undefined, linear is the limit
        return a + t * (b - a)
    sin = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / sin) * a + (torch.sin(t * omega) / sin) * b


def interpolate_codes(z0: Tensor, z1: Tensor, steps: int, mode: str = "linear") -> Tensor:
    """Codes on the path from z0 to z1 (both (d,) or any equal shape), endpoints included: (steps, *z0.shape)."""
    if z0.shape != z1.shape:
        raise ValueError(f"codes must have the same shape, got {tuple(z0.shape)} and {tuple(z1.shape)}")
    if steps < 2:
        raise ValueError(f"steps must be >= 2 to include both endpoints, got {steps}")
    # float64 so the endpoints come back equal to the codes to float32 precision
    a, b = z0.detach().reshape(-1).double(), z1.detach().to(z0.device).reshape(-1).double()
    t = torch.linspace(0.0, 1.0, steps, dtype=torch.float64, device=a.device)
    return path_at(a, b, t, mode).to(z0.dtype).reshape(steps, *z0.shape)
