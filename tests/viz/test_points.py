import math

import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.viz.points import (
    mode_colours,
    nearest_mode,
    pick_evenly,
    save_points_by_mode,
    save_points_over_steps,
    save_points_plot,
)

MEANS = torch.tensor([[2 * math.cos(a), 2 * math.sin(a)] for a in np.arange(8) * 2 * math.pi / 8])
STD = 0.02


def _samples(modes, n=400, spread=STD, seed=0):
    g = torch.Generator().manual_seed(seed)
    idx = torch.tensor(modes)[torch.randint(0, len(modes), (n,), generator=g)]
    return MEANS[idx] + spread * torch.randn(n, 2, generator=g)


def test_nearest_mode_assigns_and_marks_far_points_low_quality():
    samples = torch.stack([MEANS[3] + 0.01, MEANS[5] + 2 * STD, torch.zeros(2)])
    nearest, good = nearest_mode(samples, MEANS, STD)
    assert nearest[:2].tolist() == [3, 5]
    assert good.tolist() == [True, True, False]
    assert nearest_mode(samples, MEANS, None)[1].all()


def test_points_by_mode_writes_a_png(tmp_path):
    real = _samples(list(range(8)), seed=1)
    path = save_points_by_mode(_samples([0, 1, 2]), MEANS, STD, tmp_path / "p.png", real=real, title="step 10")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (450, 450)
        colours = set(map(tuple, np.asarray(image.convert("RGB")).reshape(-1, 3)[::7].tolist()))
    assert len(colours) > 10  # coloured points, not a blank canvas


def test_points_over_steps_has_one_panel_per_step_and_thins_long_lists(tmp_path):
    snapshots = [(s, _samples([0, 1], spread=1.0 / (1 + s))) for s in (0, 100, 200)]
    with Image.open(save_points_over_steps(snapshots, MEANS, tmp_path / "a.png", std=STD)) as image:
        assert image.size == (3 * 220, 250)
    many = [(s, _samples([0])) for s in range(10)]
    with Image.open(save_points_over_steps(many, MEANS, tmp_path / "b.png", max_panels=4)) as image:
        assert image.size == (4 * 220, 250)
    with pytest.raises(ValueError, match="snapshots"):
        save_points_over_steps([], MEANS, tmp_path / "c.png")


def testpick_evenly_keeps_first_and_last():
    assert pick_evenly(list(range(10)), 4) == [0, 3, 6, 9]
    assert pick_evenly([1, 2], 4) == [1, 2]


def test_mode_colours_are_distinct_for_many_modes():
    for k in (8, 20, 25):
        colours = mode_colours(k)
        assert len({tuple(c) for c in colours.tolist()}) == k


def test_save_points_plot_is_unchanged(tmp_path):
    path = save_points_plot(_samples([0]), tmp_path / "s.png", modes=MEANS, title="t", real=_samples([1]))
    with Image.open(path) as image:
        assert image.size == (400, 400)
