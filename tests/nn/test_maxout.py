import pytest
import torch

from latentgan.nn.maxout import Maxout


def test_reduces_features_by_pieces():
    assert Maxout(3)(torch.randn(4, 12)).shape == (4, 4)


def test_reduces_channels_of_feature_maps():
    assert Maxout(2)(torch.randn(2, 8, 5, 5)).shape == (2, 4, 5, 5)


def test_takes_max_over_consecutive_groups():
    x = torch.tensor([[1.0, 5.0, -2.0, -3.0, 0.0, 4.0]])
    assert Maxout(2)(x).tolist() == [[5.0, -2.0, 4.0]]
    assert Maxout(3)(x).tolist() == [[5.0, 4.0]]


def test_works_on_non_contiguous_input():
    x = torch.randn(2, 4, 3, 3).to(memory_format=torch.channels_last)
    assert Maxout(2)(x).shape == (2, 2, 3, 3)


def test_indivisible_dim_errors_clearly():
    with pytest.raises(ValueError, match=r"divisible by 3, got 10"):
        Maxout(3)(torch.randn(2, 10))


def test_bad_pieces_and_bad_rank_error():
    with pytest.raises(ValueError, match="pieces >= 1"):
        Maxout(0)
    with pytest.raises(ValueError, match=r"\(N, C, ...\)"):
        Maxout(2)(torch.randn(4))


def test_gradient_goes_to_the_maximum():
    x = torch.tensor([[1.0, 5.0]], requires_grad=True)
    Maxout(2)(x).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0]]
