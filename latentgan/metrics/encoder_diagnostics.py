"""Diagnostics of a trained encoder and its pair discriminator: how many code coordinates sit at the edge of a
bounded prior, how well D tells transformed originals from reconstructions (IVE-GAN, issue 23), and how much ALI's
joint D looks at the pairing of x and z (issue 24)."""

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


def pairing_sensitivity(joint_logits, x: Tensor, codes: Tensor, prior_codes: Tensor, decoded: Tensor,
                        seed: int = 0) -> dict[str, float]:
    """How much D's logit on encoder pairs (x, E(x)) depends on x and z belonging together, against its gap between
    encoder pairs and decoder pairs (G(z), z).

    pairing_shift: mean |D(x_i, z_i) - D(x_i, z_j)| for a shuffled partner j (issue 24's measure; a D that scores
    x and z separately also moves it). pairing_interaction: mean |D(x_i, z_i) + D(x_j, z_j) - D(x_i, z_j) -
    D(x_j, z_i)| / 2, exactly 0 for any D of the form f(x) + g(z). pairing_ratio: interaction / |real_fake_gap|;
    near 0, D ignores whether x and z belong together, and nothing makes E(x) describe x.
    """
    generator = torch.Generator(device="cpu").manual_seed(seed)
    # A derangement (a cyclic shift along a random order), so no code stays with its own x.
    order = torch.randperm(x.shape[0], generator=generator)
    partner = torch.empty_like(order)
    partner[order] = order.roll(1)
    partner = partner.to(x.device)
    real, fake = joint_logits(x, codes), joint_logits(decoded, prior_codes)
    swapped_z, swapped_x = joint_logits(x, codes[partner]), joint_logits(x[partner], codes)
    interaction = float((real + real[partner] - swapped_z - swapped_x).abs().mean() / 2)
    gap = float(real.mean() - fake.mean())
    return {"pairing_shift": float((real - swapped_z).abs().mean()), "pairing_interaction": interaction,
            "real_fake_gap": gap, "pairing_ratio": interaction / abs(gap) if gap else float("inf")}
