"""Adversarial losses (minimax, non-saturating, least squares, Wasserstein), the gradient penalty, and the
reconstruction losses (MSE, Laplacian-pyramid L1).

Every model takes its losses from here, so each loss is written once. Discriminator outputs are raw
scores (logits for the GAN losses, critic values for WGAN); "real" means data, "fake" means generated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from latentgan import rng


@dataclass(frozen=True)
class AdversarialLoss:
    """A pair of losses: the discriminator's on (real, fake) scores and the generator's on fake scores."""

    name: str
    discriminator: Callable[[Tensor, Tensor], Tensor]
    generator: Callable[[Tensor], Tensor]
    needs_gradient_penalty: bool = False


def _d_logistic(real: Tensor, fake: Tensor) -> Tensor:
    # -log D(x) - log(1 - D(G(z))) with D = sigmoid(score), in the numerically stable softplus form.
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def _g_minimax(fake: Tensor) -> Tensor:
    # The original objective log(1 - D(G(z))), minimised by G; saturates early in training.
    return -F.softplus(fake).mean()


def _g_non_saturating(fake: Tensor) -> Tensor:
    # -log D(G(z)): same fixed point as minimax, strong gradients when D rejects the samples.
    return F.softplus(-fake).mean()


def _d_least_squares(real: Tensor, fake: Tensor) -> Tensor:
    # LSGAN with targets a=0 (fake), b=1 (real), halved as in Mao et al.
    return 0.5 * ((real - 1.0) ** 2).mean() + 0.5 * (fake**2).mean()


def _g_least_squares(fake: Tensor) -> Tensor:
    return 0.5 * ((fake - 1.0) ** 2).mean()


def _d_least_squares_sigmoid(real: Tensor, fake: Tensor) -> Tensor:
    # Least squares on sigmoid outputs, as the tempered-GAN paper's wording reads (||D(x) - 1||^2 with D in
    # (0, 1)); saturates like minimax, which is why the paper's LSGAN "did not train in most cases".
    return 0.5 * ((torch.sigmoid(real) - 1.0) ** 2).mean() + 0.5 * (torch.sigmoid(fake) ** 2).mean()


def _g_least_squares_sigmoid(fake: Tensor) -> Tensor:
    return 0.5 * ((torch.sigmoid(fake) - 1.0) ** 2).mean()


def _d_wasserstein(real: Tensor, fake: Tensor) -> Tensor:
    return fake.mean() - real.mean()


def _g_wasserstein(fake: Tensor) -> Tensor:
    return -fake.mean()


LOSSES: dict[str, AdversarialLoss] = {
    "minimax": AdversarialLoss("minimax", _d_logistic, _g_minimax),
    "ns": AdversarialLoss("ns", _d_logistic, _g_non_saturating),
    "lsgan": AdversarialLoss("lsgan", _d_least_squares, _g_least_squares),
    "lsgan-sigmoid": AdversarialLoss("lsgan-sigmoid", _d_least_squares_sigmoid, _g_least_squares_sigmoid),
    "wgan-gp": AdversarialLoss("wgan-gp", _d_wasserstein, _g_wasserstein, needs_gradient_penalty=True),
}


# The tempering lens's adversarial term L_A on lensed-real scores D(L(x)), per GAN loss (Sajjadi et al. 2018,
# eqs. 8, 11, 14): the lens works against the discriminator by making lensed reals score like fakes.
LENS_ADVERSARIAL: dict[str, Callable[[Tensor], Tensor]] = {
    "minimax": lambda real: F.softplus(real).mean(),  # -log(1 - D(L(x))), D = sigmoid(score)
    "ns": lambda real: F.softplus(real).mean(),
    "lsgan": lambda real: (real**2).mean(),  # ||D(L(x))||^2: pull lensed reals to the fake target 0
    "lsgan-sigmoid": lambda real: (torch.sigmoid(real) ** 2).mean(),  # eq. 11 with D = sigmoid(score)
    "wgan-gp": lambda real: real.mean(),  # D(L(x)): lower the critic's value of lensed reals
}


def get_loss(name: str) -> AdversarialLoss:
    """Look up an adversarial loss by name: minimax, ns (non-saturating), lsgan, lsgan-sigmoid or wgan-gp."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss '{name}'; choose one of: {', '.join(LOSSES)}")
    return LOSSES[name]


def gradient_penalty(critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor,
                     generator: torch.Generator | None = None) -> Tensor:
    """WGAN-GP penalty E[(||grad critic(x_hat)||_2 - 1)^2] at random interpolates of real and fake.

    real, fake: (N, ...) tensors of the same shape; fake is detached here. Multiply by the weight
    (lambda, 10 in Gulrajani et al.) at the call site.
    """
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = rng.rand(shape, generator, real.device, real.dtype)
    x_hat = (eps * real.detach() + (1.0 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    # The norm in float32: under bf16 autocast the gradient may be bf16, and the penalty is a small difference.
    return ((grad.float().flatten(1).norm(2, dim=1) - 1.0) ** 2).mean()


# ---------------------------------------------------------------------------------------------------------------
# Reconstruction losses (GLO's objective; also the reconstruction metrics).

_MIN_PYRAMID_SIZE = 4  # the default pyramid stops when the low-pass residual would be smaller than this


def max_pyramid_levels(height: int, width: int, min_size: int = _MIN_PYRAMID_SIZE) -> int:
    """How many times (H, W) can be halved (rounding up) while the smaller side stays >= min_size."""
    levels, size = 0, min(height, width)
    while (size + 1) // 2 >= min_size:
        levels, size = levels + 1, (size + 1) // 2
    return levels


def _binomial_blur(x: Tensor, gain: float = 1.0) -> Tensor:
    # Separable 5x5 binomial kernel [1, 4, 6, 4, 1]^2 / 256 (Burt & Adelson) on every channel alike, written as
    # shifted slices: as fast as a one-channel conv2d on CPU, and a per-channel (grouped) conv is ~20x slower.
    # Reflect padding keeps the borders unbiased and needs a side >= 3, so tiny images fall back to replicate.
    mode = "reflect" if min(x.shape[-2:]) >= 3 else "replicate"
    p = F.pad(x, (2, 2, 2, 2), mode=mode)
    p = p[..., :-4] + 4 * p[..., 1:-3] + 6 * p[..., 2:-2] + 4 * p[..., 3:-1] + p[..., 4:]
    p = p[..., :-4, :] + 4 * p[..., 1:-3, :] + 6 * p[..., 2:-2, :] + 4 * p[..., 3:-1, :] + p[..., 4:, :]
    return p * (gain / 256.0)


def _pyramid_down(x: Tensor) -> Tensor:
    # Blur then keep every other pixel: an odd side of n gives (n + 1) // 2.
    return _binomial_blur(x)[..., ::2, ::2]


def _pyramid_up(x: Tensor, size: tuple[int, int]) -> Tensor:
    # Zero-insert to `size`, then blur with 4x the kernel so every output pixel's weights sum to one.
    up = x.new_zeros(x.shape[:2] + size)
    up[..., ::2, ::2] = x
    return _binomial_blur(up, gain=4.0)


def laplacian_pyramid(x: Tensor, levels: int | None = None) -> list[Tensor]:
    """Laplacian pyramid of x: (N, C, H, W) -> levels band-pass images, finest first, then the low-pass residual.

    Band j has side ceil(side / 2^j); default levels = max_pyramid_levels(H, W) (residual >= 4 px).
    Any channel count and odd sizes work; `laplacian_collapse` inverts it exactly.
    """
    if x.dim() != 4:
        raise ValueError(f"laplacian_pyramid needs (N, C, H, W) images, got shape {tuple(x.shape)}")
    levels = max_pyramid_levels(*x.shape[-2:]) if levels is None else levels
    if levels < 0:
        raise ValueError(f"levels must be >= 0, got {levels}")
    pyramid, current = [], x
    for _ in range(levels):
        low = _pyramid_down(current)
        pyramid.append(current - _pyramid_up(low, current.shape[-2:]))
        current = low
    pyramid.append(current)
    return pyramid


def laplacian_collapse(pyramid: list[Tensor]) -> Tensor:
    """Rebuild the image (N, C, H, W) from laplacian_pyramid's output (exact up to float rounding)."""
    current = pyramid[-1]
    for band in reversed(pyramid[:-1]):
        current = band + _pyramid_up(current, band.shape[-2:])
    return current


def _reduce(per_example: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return per_example.mean()
    if reduction == "none":
        return per_example
    raise ValueError(f"reduction must be 'mean' or 'none', got '{reduction}'")


def lap1_loss(x: Tensor, y: Tensor, levels: int | None = None, reduction: str = "mean") -> Tensor:
    """GLO's Laplacian-pyramid L1 loss between images x, y: (N, C, H, W); a scalar, or (N,) with reduction="none".

    The GLO paper (Bojanowski et al., ICLR 2018 submission, sec. 2) defines
    Lap1(x, x') = sum_j 2^{2j} |L^j(x) - L^j(x')|_1, L^j the j-th pyramid level, and says it "weights the
    details at fine scales more heavily"; it does not say where j starts (reimplementations also use 2^{-2j}).
    Here j = 0 is the finest band and |.|_1 is the sum over the level, as written: level j has 4^{-j} as many
    coefficients, so 2^{2j} gives every coefficient the weight of the image area it covers and each band
    counts about equally (~ sum_j mean_j |dL^j|). Scaling 2^{2j} by per-level *means* instead would weight
    the 4-px residual 4^J times the finest band, the opposite of the paper's stated intent. Per example the
    sum is divided by C*H*W so values do not grow with image size (like per-pixel MSE).
    """
    if x.shape != y.shape:
        raise ValueError(f"lap1_loss needs equal shapes, got {tuple(x.shape)} and {tuple(y.shape)}")
    levels = max_pyramid_levels(*x.shape[-2:]) if levels is None else levels
    total = x.new_zeros(x.shape[0])
    # The pyramid is linear, so one pyramid of x - y costs half of two and gives the same bands.
    for j, band in enumerate(laplacian_pyramid(x - y, levels)):
        total = total + 4.0**j * band.abs().flatten(1).sum(dim=1)
    return _reduce(total / x[0].numel(), reduction)


def mse_loss(x: Tensor, y: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error per example over all non-batch dims of x, y: (N, ...); mean over N unless "none"."""
    if x.shape != y.shape:
        raise ValueError(f"mse_loss needs equal shapes, got {tuple(x.shape)} and {tuple(y.shape)}")
    return _reduce((x - y).pow(2).flatten(1).mean(dim=1), reduction)


def reconstruction_loss(name: str, weights: dict, recon: Tensor, x: Tensor, reduction: str = "mean") -> Tensor:
    """GLO's loss between images (N, C, H, W): l2 (per-pixel MSE), lap1, or their weighted sum."""
    if name == "l2":
        return mse_loss(recon, x, reduction)
    if name == "lap1":
        return lap1_loss(recon, x, reduction=reduction)
    return (float(weights.get("l2", 0.0)) * mse_loss(recon, x, reduction)
            + float(weights.get("lap1", 0.0)) * lap1_loss(recon, x, reduction=reduction))
