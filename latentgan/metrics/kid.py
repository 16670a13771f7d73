"""Kernel Inception Distance (Bińkowski et al. 2018): unbiased MMD^2 with a cubic polynomial kernel."""

from __future__ import annotations

import numpy as np

from latentgan.metrics.errors import MetricError
from latentgan.metrics.frechet import ArrayLike, as_float64


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k(x, y) = (x.y / d + 1)^3 for rows x (N, D), y (M, D) -> (N, M)."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 between equal-sized samples x, y (m, D): the diagonals of k(x, x), k(y, y) are left out."""
    m = x.shape[0]
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_inception_distance(real_features: ArrayLike, fake_features: ArrayLike, subsets: int = 100,
                              subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Mean and std of the unbiased MMD^2 over random subsets; features (N, D) and (M, D).

    subset_size is clipped to the smaller set. Subsets are drawn as torch-fidelity draws them (a NumPy
    RandomState(seed), fake then real indices, without replacement), so equal features give its values.
    """
    real, fake = as_float64(real_features), as_float64(fake_features)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise MetricError(f"KID needs two feature sets (N, D) of the same D, got {real.shape} and {fake.shape}")
    m = min(subset_size, real.shape[0], fake.shape[0])
    if m < 2 or subsets < 1:
        raise MetricError(f"KID needs at least 2 samples per set and 1 subset, got {m} and {subsets}")
    rng = np.random.RandomState(seed)  # the legacy generator on purpose: same subsets as torch-fidelity
    values = np.empty(subsets)
    for i in range(subsets):
        f = fake[rng.choice(fake.shape[0], m, replace=False)]
        r = real[rng.choice(real.shape[0], m, replace=False)]
        values[i] = mmd2_unbiased(f, r)
    return float(values.mean()), float(values.std())
