"""Diagnostics of a trained encoder and its pair discriminator: how many code coordinates sit at the edge of a
bounded prior, and how well D tells transformed originals from reconstructions (IVE-GAN, issue 23)."""

from __future__ import annotations

import torch
from torch import Tensor

from latentgan.nn.in_batches import map_in_batches

# |z| above this is saturated for tanh codes: tanh reaches 0.99 at 2.65, where its gradient is 2 % of its peak.
SATURATION = 0.99


def code_saturation(encode, x: Tensor, batch_size: int = 250) -> dict[str, float]:
    """Share of E(x)'s coordinates with |z| >= 0.99, share of codes with every coordinate there, and mean |z|."""
    codes = map_in_batches(encode, x, batch_size).abs()
    saturated = codes >= SATURATION
    return {"code_saturation": float(saturated.float().mean()),
            "code_corners": float(saturated.all(dim=1).float().mean()),
            "code_abs_mean": float(codes.mean())}


def pair_accuracy(pair_logits, x: Tensor, seed: int = 0, batch_size: int = 250) -> dict[str, float]:
    """D's accuracy on real pairs (T(x), x) (logit > 0) and fake pairs (G(z0, E(x)), x) (logit < 0), and both.

    0.5 means D cannot tell reconstructions from variants of x; 1.0 means it always can.
    """
    generator = torch.Generator(device=x.device).manual_seed(seed)
    real_hits, fake_hits = [], []
    for start in range(0, x.shape[0], batch_size):
        real, fake = pair_logits(x[start:start + batch_size], generator)
        real_hits.append(real.flatten() > 0)
        fake_hits.append(fake.flatten() < 0)
    real_acc, fake_acc = (float(torch.cat(h).float().mean()) for h in (real_hits, fake_hits))
    return {"pair_accuracy": (real_acc + fake_acc) / 2, "pair_accuracy_real": real_acc,
            "pair_accuracy_fake": fake_acc}
