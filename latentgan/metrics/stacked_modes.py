"""Stacked-MNIST mode count (VEEGAN / PacGAN): a digit classifier applied to each of the three channels."""

from __future__ import annotations

import torch
from torch import Tensor

from latentgan.metrics.classifier import DigitClassifier
from latentgan.metrics.errors import MetricError

N_MODES = 1000  # 10 digits in each of 3 channels


def stacked_labels(images: Tensor, classifier: DigitClassifier, batch_size: int = 1000) -> Tensor:
    """images (N, 3, H, W) in [0, 1] -> mode labels (N,) = 100 * d_R + 10 * d_G + d_B."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise MetricError(f"stacked-MNIST modes need (N, 3, H, W) images, got {tuple(images.shape)}")
    digits = [classifier.predict(images[:, c:c + 1], batch_size).cpu() for c in range(3)]
    return digits[0] * 100 + digits[1] * 10 + digits[2]


def stacked_mnist_modes(images: Tensor, classifier: DigitClassifier, batch_size: int = 1000) -> dict[str, int | float]:
    """{"modes": distinct digit triples, "kl": KL(p_gen || uniform over 1000)} for images (N, 3, H, W) in [0, 1].

    p_gen is the empirical histogram of the N samples' triples; empty modes add nothing to the sum
    (0 log 0 = 0), natural log, so a perfect sampler tends to 0 and one mode gives log 1000 = 6.91.
    """
    labels = stacked_labels(images, classifier, batch_size)
    if labels.numel() == 0:
        raise MetricError("stacked-MNIST modes need at least one sample")
    counts = torch.bincount(labels, minlength=N_MODES).double()
    p = counts[counts > 0] / labels.numel()
    return {"modes": int((counts > 0).sum()), "kl": float((p * (p * N_MODES).log()).sum())}
