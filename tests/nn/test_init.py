import math

import pytest
import torch
from torch import nn

from latentgan.nn import DCGANDiscriminator, DCGANGenerator
from latentgan.nn.init import HE_SLOPE, INIT_SCHEMES, init_weights


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(400, 500), nn.BatchNorm1d(500), nn.Conv2d(16, 32, 5), nn.ConvTranspose2d(8, 8, 3))


@pytest.mark.parametrize(("scheme", "std"), [("normal", 0.01), ("dcgan", 0.02)])
def test_gaussian_schemes_have_expected_std(scheme, std):
    net = init_weights(_net(), scheme)
    assert net[0].weight.std().item() == pytest.approx(std, rel=0.05)
    assert net[2].weight.std().item() == pytest.approx(std, rel=0.05)
    assert net[0].weight.mean().abs().item() < std / 10


def test_he_scheme_matches_kaiming_fan_in():
    net = init_weights(_net(), "he")
    expected = math.sqrt(2.0 / (1 + HE_SLOPE**2)) / math.sqrt(400)
    assert net[0].weight.std().item() == pytest.approx(expected, rel=0.05)


def test_xavier_scheme_is_uniform_with_glorot_bound():
    w = init_weights(_net(), "xavier")[0].weight
    bound = math.sqrt(6.0 / (400 + 500))
    assert w.abs().max().item() <= bound
    assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.05)


@pytest.mark.parametrize("scheme", ["he", "xavier", "normal", "dcgan"])
def test_biases_zero_and_norm_weights_near_one(scheme):
    net = init_weights(_net(), scheme)
    for m in (net[0], net[2], net[3]):
        assert torch.all(m.bias == 0)
    bn = net[1]
    assert torch.all(bn.bias == 0)
    if scheme == "dcgan":
        assert bn.weight.mean().item() == pytest.approx(1.0, abs=0.01)
        assert bn.weight.std().item() == pytest.approx(0.02, rel=0.2)
    else:
        assert torch.all(bn.weight == 1)


def test_default_leaves_pytorch_init_untouched_and_returns_module():
    net = _net()
    before = [p.clone() for p in net.parameters()]
    assert init_weights(net, "default") is net
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


def test_reaches_nested_dcgan_nets_and_their_norms():
    g = init_weights(DCGANGenerator(8, width=8), "normal")
    convs = [m for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert all(c.weight.abs().max().item() < 0.1 for c in convs)
    d = init_weights(DCGANDiscriminator(width=8, norm="layer"), "dcgan")
    gn = next(m for m in d.modules() if isinstance(m, nn.GroupNorm))
    assert gn.weight.mean().item() == pytest.approx(1.0, abs=0.02)


def test_initialises_spectrally_normalised_weights():
    d = init_weights(DCGANDiscriminator(width=8, spectral_norm=True), "normal")
    original = d.head[1].parametrizations.weight.original
    assert original.std().item() == pytest.approx(0.01, rel=0.1)


def test_unknown_scheme_lists_valid_ones():
    assert INIT_SCHEMES == ("he", "xavier", "normal", "dcgan", "default")
    with pytest.raises(ValueError, match="unknown init scheme 'orthogonal'.*he, xavier, normal, dcgan, default"):
        init_weights(_net(), "orthogonal")


@pytest.mark.parametrize("scheme", ["normal", "dcgan"])
def test_a_gaussian_schemes_std_can_be_replaced(scheme):
    net = init_weights(_net(), scheme, std=0.05)
    assert net[0].weight.std().item() == pytest.approx(0.05, rel=0.05)
    assert net[2].weight.std().item() == pytest.approx(0.05, rel=0.05)


@pytest.mark.parametrize(("scheme", "std"), [("xavier", 0.05), ("default", 0.05), ("normal", 0.0)])
def test_std_is_refused_without_a_gaussian_scheme_or_when_not_positive(scheme, std):
    with pytest.raises(ValueError, match="needs a Gaussian scheme"):
        init_weights(_net(), scheme, std=std)
