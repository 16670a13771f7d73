import pytest
import torch
from torch import nn

from latentgan.nn.blocks import NORMS, ConvBlock, make_norm, resolve_norm
from latentgan.nn.maxout import Maxout


@pytest.mark.parametrize("norm", [*NORMS, None])
def test_make_norm_keeps_shape(norm):
    x = torch.randn(4, 6, 5, 5)
    assert make_norm(norm, 6)(x).shape == x.shape


def test_unknown_norm_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown norm 'group'.*batch, layer, instance"):
        make_norm("group", 4)
    with pytest.raises(ValueError, match="unknown norm"):
        resolve_norm(True, "group")


def test_resolve_norm_auto_follows_batch_norm_flag_and_explicit_wins():
    assert resolve_norm(True, "auto") == "batch"
    assert resolve_norm(False, "auto") is None
    assert resolve_norm(True, None) is None
    assert resolve_norm(False, "layer") == "layer"


def test_conv_block_with_maxout_makes_k_times_the_maps():
    block = ConvBlock(3, 8, 4, stride=2, padding=1, maxout_pieces=2)
    assert block.conv.out_channels == 16
    assert isinstance(block.act, Maxout)
    assert block(torch.randn(2, 3, 16, 16)).shape == (2, 8, 8, 8)


def test_conv_block_drops_bias_before_batch_norm_and_puts_dropout_first():
    block = ConvBlock(3, 8, 3, norm="batch", dropout=0.5)
    assert block.conv.bias is None
    assert isinstance(next(iter(block)), nn.Dropout)


def test_ali_cifar10_inference_table_is_expressible():
    """ALI appendix, Table 3, G_z(x): 3x32x32 -> 128x1x1 (mu and log sigma of a 64-d code)."""
    rows = [(3, 32, 5, 1), (32, 64, 4, 2), (64, 128, 4, 1), (128, 256, 4, 2), (256, 512, 4, 1), (512, 512, 1, 1)]
    layers = [ConvBlock(i, o, k, s, norm="batch", slope=0.1) for i, o, k, s in rows]
    layers.append(ConvBlock(512, 128, 1, activation=None))
    assert nn.Sequential(*layers)(torch.randn(2, 3, 32, 32)).shape == (2, 128, 1, 1)


def test_ali_cifar10_generator_table_is_expressible():
    """ALI appendix, Table 3, G_x(z): 64x1x1 -> 3x32x32 with transposed convs."""
    rows = [(64, 256, 4, 1), (256, 128, 4, 2), (128, 64, 4, 1), (64, 32, 4, 2), (32, 32, 5, 1)]
    layers = [ConvBlock(i, o, k, s, norm="batch", slope=0.1, transposed=True) for i, o, k, s in rows]
    layers += [ConvBlock(32, 32, 1, norm="batch", slope=0.1), ConvBlock(32, 3, 1, activation="sigmoid")]
    assert nn.Sequential(*layers)(torch.randn(2, 64, 1, 1)).shape == (2, 3, 32, 32)


def test_spectral_norm_wraps_the_conv():
    block = ConvBlock(3, 4, 3, spectral_norm=True)
    assert hasattr(block.conv, "parametrizations")
