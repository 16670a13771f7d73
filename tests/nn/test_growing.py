import math

import pytest
import torch

from latentgan.nn.growing import (
    HE_GAIN,
    GrowingConv2d,
    GrowingLinear,
    downsample,
    fade_in,
    minibatch_stddev,
    resize_to,
    upsample,
)


def test_nearest_upsample_copies_pixels_and_average_pool_undoes_it():
    x = torch.arange(4.0).view(1, 1, 2, 2)
    up = upsample(x)
    assert up.shape == (1, 1, 4, 4)
    assert torch.equal(up[0, 0, :2, :2], torch.zeros(2, 2)) and torch.equal(up[0, 0, 2:, 2:], torch.full((2, 2), 3.0))
    assert torch.equal(downsample(up), x)
    y = torch.randn(2, 3, 16, 16)
    assert resize_to(y, 4).shape == (2, 3, 4, 4)
    assert torch.allclose(resize_to(y, 4), downsample(downsample(y)))
    assert torch.equal(resize_to(y, 16), y)


def test_fade_in_blends_linearly():
    new, old = torch.ones(3), torch.zeros(3)
    assert torch.equal(fade_in(0.0, new, old), old)
    assert torch.allclose(fade_in(0.25, new, old), torch.full((3,), 0.25))
    assert fade_in(1.0, new, old) is new


def test_minibatch_stddev_appends_the_mean_std_and_blends_halves_with_tau():
    x = torch.randn(8, 4, 3, 3)
    std = torch.sqrt(x.var(dim=0, unbiased=False) + 1e-8)
    out = minibatch_stddev(x)
    assert out.shape == (8, 5, 3, 3) and torch.equal(out[:, :4], x)
    assert torch.allclose(out[:, 4], std.mean().expand(8, 3, 3))
    # Eq. 15: tau = 0 counts only the old half, tau = 1/2 weighs equal halves equally (= the plain mean).
    assert torch.allclose(minibatch_stddev(x, old_channels=2, tau=0.0)[0, 4, 0, 0], std[:2].mean())
    assert torch.allclose(minibatch_stddev(x, old_channels=2, tau=0.5)[:, 4], out[:, 4])
    blended = minibatch_stddev(x, old_channels=2, tau=0.3)[0, 4, 0, 0]
    assert torch.allclose(blended, 0.7 * std[:2].mean() + 0.3 * std[2:].mean())


def test_growing_linear_by_zero_columns_leaves_the_function_unchanged():
    torch.manual_seed(0)
    layer = GrowingLinear([1, 3], [5, 5], zero_new_inputs=True)
    z = torch.randn(10, 3)
    assert torch.equal(layer(z, 1), layer(z[:, :1], 0))
    assert torch.count_nonzero(layer.weight[:, 1:]) == 0
    # The new columns do learn once grown: they get gradients at stage 1 and none at stage 0.
    layer(z, 0).sum().backward()
    assert torch.count_nonzero(layer.weight.grad[:, 1:]) == 0
    layer.weight.grad = None
    layer(z, 1).sum().backward()
    assert torch.count_nonzero(layer.weight.grad[:, 1:]) == 10
    assert layer.active_parameters(0) == 5 * 2 and layer.active_parameters(1) == 5 * 4


def test_growing_conv_at_beta_zero_computes_the_previous_stage_and_zero_new_channels():
    torch.manual_seed(0)
    conv = GrowingConv2d([2, 4], [3, 6], kernel=3, padding=1)
    with torch.no_grad():
        conv.bias.normal_()  # non-zero biases, so the new channels' bias must be faded in too
    x = torch.randn(5, 4, 6, 6)
    old = conv(x[:, :2], stage=0)
    grown = conv(torch.cat([x[:, :2], x[:, 2:]], 1), stage=1, beta=0.0)
    assert grown.shape == (5, 6, 6, 6)
    assert torch.allclose(grown[:, :3], old, atol=1e-6)
    assert torch.count_nonzero(grown[:, 3:]) == 0
    assert not torch.allclose(conv(x, stage=1, beta=1.0)[:, :3], old, atol=1e-3)
    half = conv(x, stage=1, beta=0.5)
    assert torch.allclose(half[:, 3:], 0.5 * conv(x, stage=1, beta=1.0)[:, 3:], atol=1e-5)


def test_growing_conv_is_he_initialised_per_stage_fan_in():
    torch.manual_seed(0)
    conv = GrowingConv2d([16, 64], [64, 128], kernel=3, padding=1)
    first, later = conv.weight[:64, :16], conv.weight[64:, 16:]
    assert first.std().item() == pytest.approx(HE_GAIN / math.sqrt(16 * 9), rel=0.05)
    assert later.std().item() == pytest.approx(HE_GAIN / math.sqrt(64 * 9), rel=0.05)
    assert torch.count_nonzero(conv.bias) == 0


def test_a_layer_new_in_a_stage_is_not_scaled_by_beta():
    # Its fade-in is alpha's job (the to-RGB / from-RGB blend), so at beta = 0 it must still compute.
    conv = GrowingConv2d([0, 4], [0, 4], kernel=1)
    x = torch.randn(2, 4, 3, 3)
    assert torch.equal(conv(x, stage=1, beta=0.0), conv(x, stage=1, beta=1.0))
    assert conv.active_parameters(0) == 0
