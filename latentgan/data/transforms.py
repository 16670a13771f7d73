"""Random batched tensor transformations T(x) on the data's device, without torchvision.

Images: shifts up to k pixels, rotations up to r degrees, horizontal flips (one affine resampling),
then brightness / contrast / hue jitter. 2-D points: an additive Gaussian shift t ~ N(0, Sigma / 2)
(IVE-GAN, Eq. 4). Every draw comes from the given torch.Generator: same seed, same transforms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from latentgan import rng


@dataclass(frozen=True)
class TransformConfig:
    """Transformation strengths; zero (or None) switches a transformation off."""

    shift: int = 0  # pixels, uniform integer in [-shift, shift] per axis
    rotate: float = 0.0  # degrees, uniform in [-rotate, rotate]
    flip: bool = False  # horizontal flip with probability 1/2
    brightness: float = 0.0  # add uniform [-b, b] x (range width)
    contrast: float = 0.0  # scale around each image's mean by uniform [1 - c, 1 + c]
    hue: float = 0.0  # rotate chroma by uniform [-h, h] turns (RGB only)
    point_cov: tuple[tuple[float, float], tuple[float, float]] | None = None  # Sigma for 2-D points

    def __post_init__(self):
        for name in ("shift", "rotate", "brightness", "contrast", "hue"):
            if getattr(self, name) < 0:
                raise ValueError(f"transform {name} must be >= 0, got {getattr(self, name)}")
        if self.hue > 0.5:
            raise ValueError(f"transform hue is in turns and must be <= 0.5, got {self.hue}")


def _uniform(n: int, bound: float, generator: torch.Generator | None, device) -> Tensor:
    return (rng.rand((n,), generator, device) * 2.0 - 1.0) * bound


def affine_transform(x: Tensor, cfg: TransformConfig, background: float,
                     generator: torch.Generator | None = None) -> Tensor:
    """Shift, rotate and flip images (N, C, H, W) in one bilinear resampling; uncovered pixels get background."""
    n, _, h, w = x.shape
    device = x.device
    angle = _uniform(n, math.radians(cfg.rotate), generator, device)
    shift = rng.randint(-cfg.shift, cfg.shift + 1, (n, 2), generator, device).float()
    flip = torch.ones(n, device=device)
    if cfg.flip:
        flip = torch.where(rng.rand((n,), generator, device) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle), torch.sin(angle)
    # The grid maps output coordinates to input ones in [-1, 1] units: shifts of s pixels are 2s / size.
    theta = torch.stack([
        torch.stack([cos * flip, -sin, -shift[:, 0] * 2.0 / w], dim=1),
        torch.stack([sin * flip, cos, -shift[:, 1] * 2.0 / h], dim=1),
    ], dim=1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    moved = F.grid_sample(x - background, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return moved + background


def colour_jitter(x: Tensor, cfg: TransformConfig, value_range: tuple[float, float],
                  generator: torch.Generator | None = None) -> Tensor:
    """Brightness, contrast and (RGB) hue jitter of images (N, C, H, W), clamped to value_range."""
    lo, hi = value_range
    n, device = x.shape[0], x.device
    if cfg.brightness:
        x = x + _uniform(n, cfg.brightness * (hi - lo), generator, device).view(n, 1, 1, 1)
    if cfg.contrast:
        factor = 1.0 + _uniform(n, cfg.contrast, generator, device).view(n, 1, 1, 1)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * factor + mean
    if cfg.hue and x.shape[1] == 3:
        x = _rotate_hue(x, _uniform(n, cfg.hue * 2 * math.pi, generator, device))
    return x.clamp(lo, hi)


def _rotate_hue(x: Tensor, angle: Tensor) -> Tensor:
    # Rotating the chroma plane (I, Q) of YIQ keeps luminance Y and turns the hue by `angle`.
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]],
                          device=x.device, dtype=x.dtype)
    from_yiq = torch.linalg.inv(to_yiq)
    cos, sin = torch.cos(angle), torch.sin(angle)
    zero, one = torch.zeros_like(cos), torch.ones_like(cos)
    rot = torch.stack([torch.stack([one, zero, zero], 1), torch.stack([zero, cos, -sin], 1),
                       torch.stack([zero, sin, cos], 1)], 1)  # (N, 3, 3)
    matrix = from_yiq @ rot @ to_yiq
    return torch.einsum("nij,njhw->nihw", matrix, x)


def gaussian_shift(points: Tensor, cov: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Points (N, D) plus t ~ N(0, cov / 2): IVE-GAN's invariance for mixtures (Eq. 4)."""
    chol = torch.linalg.cholesky(cov.to(points) / 2.0)
    noise = rng.randn(points.shape, generator, points.device, points.dtype)
    return points + noise @ chol.T


def isotropic_shift(points: Tensor, std: Tensor | float, generator: torch.Generator | None = None) -> Tensor:
    """Points (N, D) plus t ~ N(0, std^2 I / 2): `gaussian_shift` for Sigma = std^2 I, with std a device tensor
    (no Cholesky factorisation, whose error check would wait for the GPU)."""
    noise = rng.randn(points.shape, generator, points.device, points.dtype)
    return points + noise * (std / math.sqrt(2.0))


class RandomTransform:
    """T(x) for a batch: images (N, C, H, W) in value_range, or points (N, D) with point_cov set."""

    def __init__(self, config: TransformConfig, value_range: tuple[float, float] = (-1.0, 1.0)):
        self.config, self.value_range = config, value_range

    def __call__(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Apply the configured transformations with fresh random draws from `generator`."""
        cfg = self.config
        if x.dim() == 2:
            if cfg.point_cov is None:
                return x
            return gaussian_shift(x, torch.tensor(cfg.point_cov), generator)
        if x.dim() != 4:
            raise ValueError(f"transforms take images (N, C, H, W) or points (N, D), got shape {tuple(x.shape)}")
        if cfg.shift or cfg.rotate or cfg.flip:
            x = affine_transform(x, cfg, self.value_range[0], generator)
        if cfg.brightness or cfg.contrast or cfg.hue:
            x = colour_jitter(x, cfg, self.value_range, generator)
        return x
