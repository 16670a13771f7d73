"""Improved precision and recall (Kynkäänniemi et al. 2019) on k-nearest-neighbour feature manifolds."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from latentgan.metrics.errors import MetricError
from latentgan.metrics.frechet import ArrayLike


def _as_tensor(features: ArrayLike, device: torch.device | str) -> Tensor:
    """Features as float64 on device: cdist's matrix-product path loses small distances in float32."""
    if isinstance(features, np.ndarray):
        features = torch.from_numpy(features)
    return features.detach().to(device=device, dtype=torch.float64)


def knn_radii(features: Tensor, k: int, batch_size: int) -> Tensor:
    """Distance from each row of features (N, D) to its k-th nearest other row -> (N,)."""
    radii = []
    for start in range(0, features.shape[0], batch_size):
        distances = torch.cdist(features[start:start + batch_size], features)
        # The (k+1)-th smallest: the smallest is the point itself at distance 0.
        radii.append(distances.kthvalue(k + 1, dim=1).values)
    return torch.cat(radii)


def inside_fraction(queries: Tensor, manifold: Tensor, radii: Tensor, batch_size: int) -> float:
    """Fraction of queries (Q, D) within radii[j] of some manifold point j (M, D)."""
    inside = 0
    for start in range(0, queries.shape[0], batch_size):
        distances = torch.cdist(queries[start:start + batch_size], manifold)
        inside += int((distances <= radii.unsqueeze(0)).any(dim=1).sum())
    return inside / queries.shape[0]


def precision_recall(real_features: ArrayLike, fake_features: ArrayLike, k: int = 3, batch_size: int = 1000,
                     device: torch.device | str = "cpu") -> dict[str, float]:
    """{"precision", "recall"} of fake (M, D) against real (N, D) features.

    Each set's manifold is the union of balls around its points with radius the distance to the point's
    k-th nearest neighbour in the same set. precision = fraction of fake points inside the real manifold
    (how realistic); recall = fraction of real points inside the fake manifold (how much is covered).
    """
    real, fake = _as_tensor(real_features, device), _as_tensor(fake_features, device)
    if real.dim() != 2 or fake.dim() != 2 or real.shape[1] != fake.shape[1]:
        raise MetricError(f"precision/recall need two feature sets (N, D) of the same D, "
                          f"got {tuple(real.shape)} and {tuple(fake.shape)}")
    if min(real.shape[0], fake.shape[0]) <= k:
        raise MetricError(f"precision/recall with k={k} need more than {k} samples per set, "
                          f"got {real.shape[0]} real and {fake.shape[0]} fake")
    real_radii, fake_radii = knn_radii(real, k, batch_size), knn_radii(fake, k, batch_size)
    return {"precision": inside_fraction(fake, real, real_radii, batch_size),
            "recall": inside_fraction(real, fake, fake_radii, batch_size)}
