"""Adversarial losses (minimax, non-saturating, least squares, Wasserstein) and the gradient penalty.

Every model takes its losses from here, so each loss is written once. Discriminator outputs are raw
scores (logits for the GAN losses, critic values for WGAN); "real" means data, "fake" means generated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


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


def _d_wasserstein(real: Tensor, fake: Tensor) -> Tensor:
    return fake.mean() - real.mean()


def _g_wasserstein(fake: Tensor) -> Tensor:
    return -fake.mean()


LOSSES: dict[str, AdversarialLoss] = {
    "minimax": AdversarialLoss("minimax", _d_logistic, _g_minimax),
    "ns": AdversarialLoss("ns", _d_logistic, _g_non_saturating),
    "lsgan": AdversarialLoss("lsgan", _d_least_squares, _g_least_squares),
    "wgan-gp": AdversarialLoss("wgan-gp", _d_wasserstein, _g_wasserstein, needs_gradient_penalty=True),
}


def get_loss(name: str) -> AdversarialLoss:
    """Look up an adversarial loss by name: minimax, ns (non-saturating), lsgan or wgan-gp."""
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
    eps = torch.rand(shape, device=real.device, dtype=real.dtype, generator=generator)
    x_hat = (eps * real.detach() + (1.0 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1.0) ** 2).mean()
