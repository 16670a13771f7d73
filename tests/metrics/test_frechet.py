import numpy as np
import pytest
import torch
from scipy import linalg

from latentgan.metrics.errors import MetricError
from latentgan.metrics.frechet import feature_statistics, frechet_distance


def random_covariance(rng, d):
    a = rng.normal(size=(d, 2 * d))
    return a @ a.T / (2 * d) + 0.1 * np.eye(d)


def reference_distance(mu1, s1, mu2, s2):
    """Independent formula: Tr (S1 S2)^1/2 = Tr (S1^1/2 S2 S1^1/2)^1/2, both roots of symmetric PSD matrices."""
    w, v = np.linalg.eigh(s1)
    root1 = v @ np.diag(np.sqrt(w)) @ v.T
    inner = np.linalg.eigvalsh(root1 @ s2 @ root1)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(inner.clip(0))))


def test_diagonal_gaussians_match_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    var1, var2 = rng.uniform(0.1, 3, size=6), rng.uniform(0.1, 3, size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("d", [2, 10, 40])
def test_full_covariances_match_reference(d):
    rng = np.random.default_rng(d)
    mu1, mu2, s1, s2 = rng.normal(size=d), rng.normal(size=d), random_covariance(rng, d), random_covariance(rng, d)
    expected = reference_distance(mu1, s1, mu2, s2)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-7, abs=1e-9)
    assert frechet_distance(mu2, s2, mu1, s1) == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_identical_statistics_give_zero_and_tensors_are_accepted():
    rng = np.random.default_rng(1)
    mu, sigma = rng.normal(size=5), random_covariance(rng, 5)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-9
    assert abs(frechet_distance(torch.tensor(mu), torch.tensor(sigma), mu, sigma)) < 1e-9


def test_feature_statistics_are_mean_and_unbiased_covariance():
    features = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    mu, sigma = feature_statistics(features)
    assert mu.dtype == np.float64 and sigma.shape == (4, 4)
    np.testing.assert_allclose(mu, features.double().mean(0).numpy())
    np.testing.assert_allclose(sigma, np.cov(features.double().numpy().T))


def test_singular_covariances_fall_back_to_a_finite_value():
    # Fewer samples than dimensions: both covariances are singular, the product's root may not exist exactly.
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(5, 20)), rng.normal(size=(5, 20)) + 0.5
    value = frechet_distance(*feature_statistics(a), *feature_statistics(b))
    assert np.isfinite(value) and value > 0
    assert linalg.norm(a.mean(0) - b.mean(0)) ** 2 <= value + 1e-6


def test_mismatched_shapes_are_refused():
    with pytest.raises(MetricError, match="same extractor"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))
    with pytest.raises(MetricError, match="at least 2"):
        feature_statistics(np.zeros((1, 3)))
