import math

import numpy as np
import pytest
import torch

from latentgan.data.mixtures import grid_means, ring_means
from latentgan.metrics.modes import aggregate_over_seeds, mode_count_by_responsibility, mode_coverage

RING = torch.from_numpy(ring_means(8, 2.0)).float()
GRID = torch.from_numpy(grid_means(5, 2.0)).float()


def _mixture(means, std, n, modes=None, seed=0):
    """n points from an equal-weight mixture of the given modes (default all)."""
    g = torch.Generator().manual_seed(seed)
    modes = torch.arange(len(means)) if modes is None else torch.as_tensor(modes)
    component = modes[torch.randint(len(modes), (n,), generator=g)]
    return means[component] + std * torch.randn(n, means.shape[1], generator=g)


def test_perfect_sampler_covers_every_mode_with_high_quality_and_near_zero_kl():
    result = mode_coverage(_mixture(RING, 0.02, 2500), RING, 0.02)
    # In 2-D, P(|x - mu| <= 3 std) = 1 - exp(-4.5) = 0.989; KL of 2,500 uniform draws is ~7/5000.
    assert result["modes_captured"] == 8 and result["modes_total"] == 8
    assert result["high_quality_fraction"] >= 0.98
    assert result["reverse_kl"] < 0.01


def test_sampler_on_three_of_eight_modes_covers_three():
    samples = _mixture(RING, 0.02, 2500, modes=[0, 3, 5])
    result = mode_coverage(samples, RING, 0.02)
    assert result["modes_captured"] == 3
    assert result["reverse_kl"] == pytest.approx(math.log(8 / 3), abs=0.02)
    assert mode_count_by_responsibility(samples, RING, 0.02)["modes_covered"] == 3


def test_points_far_from_every_mode_have_no_high_quality():
    far = torch.full((100, 2), 10.0)
    result = mode_coverage(far, RING, 0.02)
    assert result["high_quality_fraction"] == 0.0 and result["modes_captured"] == 0
    assert result["reverse_kl"] == float("inf")


def test_responsibility_count_on_the_25_grid():
    assert mode_count_by_responsibility(_mixture(GRID, 0.05, 10_000), GRID, 0.05) == {
        "modes_covered": 25, "modes_total": 25}
    three = _mixture(GRID, 0.05, 10_000, modes=[0, 12, 24])
    assert mode_count_by_responsibility(three, GRID, 0.05)["modes_covered"] == 3
    # Unlike the HQ count, far-away samples still count for the component they are closest to.
    assert mode_count_by_responsibility(torch.tensor([[40.0, 40.0]]), GRID, 0.05)["modes_covered"] == 1


def test_responsibility_uses_per_mode_std_and_n_required():
    means, x = torch.tensor([[0.0], [3.0]]), torch.tensor([[1.8], [2.9]])
    # With a shared std both points go to the nearer mean 3; a wide mode at 0 claims 1.8 instead.
    assert mode_count_by_responsibility(x, means, 0.5)["modes_covered"] == 1
    assert mode_count_by_responsibility(x, means, torch.tensor([2.0, 0.1]))["modes_covered"] == 2
    assert mode_count_by_responsibility(x, means, 0.5, n_required=2)["modes_covered"] == 1
    assert mode_count_by_responsibility(x, means, 0.5, n_required=3)["modes_covered"] == 0
    with pytest.raises(ValueError, match="std"):
        mode_count_by_responsibility(x, means, 0.0)


def test_aggregate_over_seeds_reports_sample_std_and_skips_non_numbers():
    runs = [{"modes_covered": 8, "kl": 0.1, "name": "a"}, {"modes_covered": 4, "kl": 0.3, "flag": True},
            {"modes_covered": np.int64(6)}]
    summary = aggregate_over_seeds(runs)
    assert set(summary) == {"modes_covered", "kl"}
    assert summary["modes_covered"] == {"mean": 6.0, "std": 2.0, "min": 4.0, "max": 8.0, "n": 3}
    assert summary["kl"]["n"] == 2 and summary["kl"]["std"] == pytest.approx(np.std([0.1, 0.3], ddof=1))
    assert aggregate_over_seeds([{"x": 1.5}])["x"]["std"] == 0.0
