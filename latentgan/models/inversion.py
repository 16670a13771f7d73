"""Inverting a generator by optimisation: the code z whose image best matches x (GAN inversion, GLO's encode).

Used by GLO's `encode` and by experiments that reconstruct with a GAN (the GLO paper's "GAN with MSE / Lap1");
the GAN itself keeps no `encode`, so metrics that need a real encoder skip it.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from latentgan.latent import project_codes
from latentgan.losses import reconstruction_loss

INVERSION_LOSSES = ("l2", "lap1", "l2+lap1")


def invert(decode: Callable[[Tensor], Tensor], x: Tensor, init: Tensor | int, loss: str = "l2", steps: int = 200,
           lr: float = 0.05, projection: str | None = None, loss_weights: dict | None = None,
           seed: int = 0, batch_size: int = 500) -> Tensor:
    """Codes (N, d) minimising loss(decode(z), x) by Adam (betas 0.5, 0.999, DCGAN's), batched over x.

    x: (N, C, H, W) in the decoder's range. init: starting codes (N, d), or the latent size d for N(0, I)
    starts drawn from `seed` (no global RNG moves). projection: 'sphere' / 'ball' after every step, or None.
    Modules reached by `decode` should be frozen and in eval mode (see latentgan.nn.frozen and nn.eval_mode).
    """
    if isinstance(init, int):
        init = torch.randn(x.shape[0], init, generator=torch.Generator().manual_seed(seed))
    init = init.to(x.device, torch.float32)
    chunks = [_invert_batch(decode, x[i:i + batch_size], init[i:i + batch_size], loss, steps, lr, projection,
                            loss_weights or {"l2": 1.0, "lap1": 1.0})
              for i in range(0, x.shape[0], batch_size)]
    return torch.cat(chunks)


def _invert_batch(decode, x: Tensor, init: Tensor, loss: str, steps: int, lr: float, projection: str | None,
                  weights: dict) -> Tensor:

    z = init.clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr, betas=(0.5, 0.999))
    for _ in range(steps):
        # Sum over examples: each code's gradient is its own image's, whatever the batch size.
        value = reconstruction_loss(loss, weights, decode(z), x, reduction="none").sum()
        opt.zero_grad(set_to_none=True)
        value.backward()
        opt.step()
        if projection is not None:
            with torch.no_grad():
                z.copy_(project_codes(z, projection))
    return z.detach()
