"""Feature statistics and the Fréchet distance between two Gaussians (the "F" in FID)."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from scipy import linalg

from latentgan.metrics.errors import MetricError

ArrayLike = np.ndarray | torch.Tensor


def as_float64(features: ArrayLike) -> np.ndarray:
    """A tensor or array as a float64 NumPy array on the CPU."""
    if isinstance(features, torch.Tensor):
        features = features.detach().cpu().double().numpy()
    return np.asarray(features, dtype=np.float64)


def feature_statistics(features: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """features (N, D) -> mean (D,) and unbiased covariance (D, D), both float64."""
    f = as_float64(features)
    if f.ndim != 2 or f.shape[0] < 2:
        raise MetricError(f"feature statistics need at least 2 feature vectors (N, D), got shape {f.shape}")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def _sqrtm(matrix: np.ndarray) -> np.ndarray:
    """scipy's matrix square root, returning NaNs (not raising) when it fails."""
    try:
        with warnings.catch_warnings():  # singular products (dead feature units) are expected; checked below
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            return linalg.sqrtm(matrix)
    except (linalg.LinAlgError, ValueError):
        return np.full_like(matrix, np.nan)


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike,
                     eps: float = 1e-6) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^1/2) for Gaussians N(mu1, S1), N(mu2, S2); mu (D,), S (D, D)."""
    mu1, mu2 = np.atleast_1d(as_float64(mu1)), np.atleast_1d(as_float64(mu2))
    sigma1, sigma2 = np.atleast_2d(as_float64(sigma1)), np.atleast_2d(as_float64(sigma2))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (mu1.size, mu1.size):
        raise MetricError(f"mismatched statistics: means {mu1.shape} and {mu2.shape}, "
                          f"covariances {sigma1.shape} and {sigma2.shape}; were they computed by the same extractor?")
    covmean = _sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        # A (near) singular product, e.g. fewer samples than dimensions: regularise both covariances slightly.
        offset = np.eye(mu1.size) * eps
        covmean = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        # Round-off gives tiny imaginary parts; a large one means the statistics are not covariances.
        largest = np.max(np.abs(covmean.imag))
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise MetricError(f"the covariance product has a matrix square root with imaginary part {largest:.3g}; "
                              "the statistics are not valid covariances (use more samples)")
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
