import numpy as np
import pytest
import torch

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.mixtures import grid_means, ring_means


def test_ring_modes_and_points_near_them():
    ds = load_dataset("ring", n_points=2000)
    assert ds.x.shape == (2000, 2) and ds.x.dtype == torch.float32 and ds.y.dtype == torch.int64
    assert ds.modes.shape == (8, 2) and ds.mode_std == 0.02
    assert torch.allclose(ds.modes.norm(dim=1), torch.full((8,), 2.0))
    assert (ds.x - ds.modes[ds.y]).abs().max() < 0.02 * 6
    assert set(ds.y.tolist()) == set(range(8)) and ds.num_classes == 8


def test_grid_means_default_layout():
    means = grid_means(5, 2.0)
    assert means.shape == (25, 2)
    assert sorted(set(means[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert np.allclose(means.mean(axis=0), 0.0)
    ds = load_dataset("grid", n_points=500, size=3, spacing=1.0, std=0.0)
    assert torch.equal(ds.x, ds.modes[ds.y]) and ds.modes.shape == (9, 2)


def test_ring_means_spacing():
    means = ring_means(4, 1.0)
    assert np.allclose(means, [[1, 0], [0, 1], [-1, 0], [0, -1]], atol=1e-12)


def test_seed_and_split_determinism():
    a = load_dataset("ring", n_points=100, seed=3)
    b = load_dataset("ring", n_points=100, seed=3)
    c = load_dataset("ring", n_points=100, seed=4)
    t = load_dataset("ring", n_points=100, seed=3, split="test")
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x) and not torch.equal(a.x, t.x)


def test_swissroll_projection_and_position():
    ds = load_dataset("swissroll", n_points=300, noise=0.0, scale=0.5)
    assert ds.x.shape == (300, 2) and ds.modes is None
    assert ds.y.shape == (300, 1) and ds.y.dtype == torch.float32 and ds.num_classes is None
    t = ds.y[:, 0].double()
    assert torch.allclose(ds.x[:, 0].double(), 0.5 * t * torch.cos(t), atol=1e-4)
    assert torch.allclose(ds.x[:, 1].double(), 0.5 * t * torch.sin(t), atol=1e-4)
    assert torch.equal(ds.x, load_dataset("swissroll", n_points=300, noise=0.0, scale=0.5).x)


@pytest.mark.parametrize("name, options, message", [
    ("ring", {"n_modes": 0}, "n_modes must be >= 1"),
    ("ring", {"std": -1.0}, "std must be >= 0"),
    ("grid", {"spacing": 0.0}, "spacing must be > 0"),
    ("swissroll", {"n_points": 0}, "n_points must be >= 1"),
])
def test_bad_option_values(name, options, message):
    with pytest.raises(DataError, match=message):
        load_dataset(name, **options)
