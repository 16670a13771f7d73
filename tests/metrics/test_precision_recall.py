import numpy as np
import pytest
import torch

from latentgan.metrics.errors import MetricError
from latentgan.metrics.precision_recall import knn_radii, precision_recall


def gaussian(n, d=8, shift=0.0, seed=0):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed)) + shift


def test_identical_sets_have_full_precision_and_recall():
    real = gaussian(300)
    assert precision_recall(real, real.clone(), k=3, batch_size=64) == {"precision": 1.0, "recall": 1.0}


def test_same_distribution_scores_high():
    scores = precision_recall(gaussian(500, seed=0), gaussian(500, seed=1))
    assert scores["precision"] > 0.8 and scores["recall"] > 0.8


def test_far_away_fake_set_has_low_precision():
    scores = precision_recall(gaussian(300), gaussian(300, shift=10.0, seed=1))
    assert scores["precision"] < 0.05 and scores["recall"] < 0.05


def test_fake_set_collapsed_to_one_point_has_low_recall():
    real = gaussian(300)
    fake = torch.zeros(300, 8)  # every sample at the centre of the real data
    scores = precision_recall(real, fake)
    assert scores["precision"] == 1.0 and scores["recall"] < 0.05


def test_radii_are_kth_nearest_other_point():
    points = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    assert knn_radii(points.double(), k=1, batch_size=2).tolist() == [1.0, 1.0, 2.0, 4.0]
    assert knn_radii(points.double(), k=2, batch_size=3).tolist() == [3.0, 2.0, 3.0, 6.0]


def test_numpy_input_and_too_few_samples():
    scores = precision_recall(np.asarray(gaussian(50)), np.asarray(gaussian(50, seed=2)), k=3)
    assert 0 <= scores["precision"] <= 1 and 0 <= scores["recall"] <= 1
    with pytest.raises(MetricError, match="more than 3"):
        precision_recall(gaussian(3), gaussian(50))
