"""One convolutional layer with its normalisation, nonlinearity and dropout: a row of a paper's table.

ALI's appendix tables list, per layer, kernel, stride, feature maps, BN?, dropout and nonlinearity;
`ConvBlock` takes exactly those, so such a network is one `nn.Sequential` of blocks.
"""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

from latentgan.nn.activations import make_activation
from latentgan.nn.maxout import Maxout

NORMS: tuple[str, ...] = ("batch", "layer", "instance")


def make_norm(norm: str | None, channels: int) -> nn.Module:
    """A normalisation layer over (N, channels, H, W) maps; None gives `nn.Identity`.

    "layer" normalises each sample over all of (C, H, W) (GroupNorm with one group) and
    "instance" over each (H, W) map: neither mixes samples, so both suit a gradient penalty.
    """
    if norm is None:
        return nn.Identity()
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "layer":
        return nn.GroupNorm(1, channels)
    if norm == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    raise ValueError(f"unknown norm {norm!r}; choose one of {', '.join(NORMS)} (or None)")


def resolve_norm(batch_norm: bool, norm: str | None) -> str | None:
    """The norm a network uses: an explicit `norm` wins; "auto" follows the `batch_norm` flag."""
    if norm == "auto":
        return "batch" if batch_norm else None
    make_norm(norm, 1)  # validate early, with the same message
    return norm


class ConvBlock(nn.Sequential):
    """dropout -> (transposed) conv -> norm -> activation or maxout: (N, C_in, H, W) -> (N, C_out, H', W').

    Dropout acts on the block's input, as in ALI's tables (0.2 on the image, 0.5 deeper). With
    `maxout_pieces=k` the conv makes k*out_channels maps and Maxout(k) replaces the activation.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        norm: str | None = None,
        activation: str | None = "leaky_relu",
        slope: float = 0.2,
        dropout: float = 0.0,
        maxout_pieces: int = 0,
        transposed: bool = False,
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        conv_channels = out_channels * max(maxout_pieces, 1)
        # A bias right before batch or instance norm is cancelled by its mean subtraction.
        bias = norm not in ("batch", "instance")
        conv_cls = nn.ConvTranspose2d if transposed else nn.Conv2d
        conv = conv_cls(in_channels, conv_channels, kernel_size, stride, padding, bias=bias)
        if dropout > 0:
            self.add_module("dropout", nn.Dropout(dropout))
        self.add_module("conv", _spectral_norm(conv) if spectral_norm else conv)
        if norm is not None:
            self.add_module("norm", make_norm(norm, conv_channels))
        if maxout_pieces > 0:
            self.add_module("act", Maxout(maxout_pieces))
        else:
            self.add_module("act", make_activation(activation, slope))
