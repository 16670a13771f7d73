import pytest
import torch
from torch import nn

from latentgan.nn.activations import ACTIVATIONS, make_activation


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_listed_activation_builds_and_keeps_shape(name):
    x = torch.randn(3, 5)
    assert make_activation(name)(x).shape == x.shape


def test_none_and_identity_are_identity():
    assert isinstance(make_activation(None), nn.Identity)
    assert isinstance(make_activation("identity"), nn.Identity)


def test_leaky_relu_uses_slope():
    act = make_activation("leaky_relu", slope=0.1)
    assert act(torch.tensor([-1.0])).item() == pytest.approx(-0.1)


def test_each_call_gives_a_fresh_module():
    assert make_activation("relu") is not make_activation("relu")


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'gelu'.*leaky_relu.*softplus"):
        make_activation("gelu")
