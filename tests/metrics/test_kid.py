import numpy as np
import pytest

from latentgan.metrics.errors import MetricError
from latentgan.metrics.kid import kernel_inception_distance, mmd2_unbiased


def test_mmd2_matches_explicit_sums():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)) + 1
    k = lambda a, b: (a @ b / 3 + 1) ** 3  # noqa: E731
    within = sum(k(x[i], x[j]) + k(y[i], y[j]) for i in range(4) for j in range(4) if i != j) / 12
    across = sum(k(x[i], y[j]) for i in range(4) for j in range(4)) / 16
    assert mmd2_unbiased(x, y) == pytest.approx(within - 2 * across)


def test_same_distribution_gives_about_zero():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    mean, std = kernel_inception_distance(real, fake, subsets=20, subset_size=200)
    assert abs(mean) < 0.02 and std > 0


def test_shifted_distribution_is_clearly_positive():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(600, 16)), rng.normal(size=(600, 16)) + 0.5
    same_mean, same_std = kernel_inception_distance(real, rng.normal(size=(600, 16)), subsets=20, subset_size=200)
    mean, std = kernel_inception_distance(real, fake, subsets=20, subset_size=200)
    assert mean > 10 * max(abs(same_mean), same_std) and mean > 5 * std


def test_subset_size_is_clipped_and_seeded():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(30, 4)), rng.normal(size=(20, 4))
    first = kernel_inception_distance(real, fake, subsets=5, subset_size=1000, seed=7)
    assert first == kernel_inception_distance(real, fake, subsets=5, subset_size=1000, seed=7)
    # subset_size clipped to 20 = the whole fake set each time
    assert kernel_inception_distance(real, fake, subsets=5, subset_size=20, seed=7) == first


def test_bad_inputs_are_refused():
    with pytest.raises(MetricError, match="same D"):
        kernel_inception_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(MetricError, match="at least 2"):
        kernel_inception_distance(np.zeros((1, 3)), np.zeros((5, 3)))
