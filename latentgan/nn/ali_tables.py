"""The convolutional networks of the ALI paper's appendix tables (Dumoulin et al. 2017, Tables 3-5), row by row.

Each row is (kernel, stride, feature maps, batch norm?, dropout), exactly the table's columns; a network is
one `nn.Sequential` of `ConvBlock`s. The z-branch and joint head of the discriminator are 1x1 convolutions
on (N, C, 1, 1) maps, as in the tables. `mnist28` is ours: the 32 px table with kernels changed so that
28 px reaches a 1x1 map (28 -5-> 24 -4/2-> 11 -4-> 8 -4/2-> 3 -3-> 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from latentgan.nn.activations import make_activation
from latentgan.nn.blocks import ConvBlock
from latentgan.nn.pixel_bias import PixelBias

Row = tuple[int, int, int, bool, float]  # kernel, stride, feature maps, batch norm, dropout


@dataclass(frozen=True)
class ALITable:
    """One appendix table: encoder, decoder and the three parts of the joint discriminator.

    The encoder's last row (1x1, linear, no BN) and the decoder's last row (1x1 to the image channels)
    are added by the builders, since their widths depend on the latent size and the data.
    """

    resolution: int
    encoder: tuple[Row, ...]
    decoder: tuple[Row, ...]  # transposed convolutions
    decoder_pointwise: tuple[Row, ...]  # 1x1 convolutions after them, before the output layer
    d_x: tuple[Row, ...]
    d_z: tuple[Row, ...]
    d_joint: tuple[Row, ...]  # hidden rows; the final 1x1 -> 1 logit reuses the last row's dropout
    slope: float
    maxout_pieces: int
    paper_latent_dim: int


def _rows(spec: str, bn: bool, dropout: float | list[float]) -> tuple[Row, ...]:
    """'5/1/32 4/2/64' -> rows with one BN flag and a dropout per row (or one for all)."""
    parts = [tuple(int(v) for v in item.split("/")) for item in spec.split()]
    drops = dropout if isinstance(dropout, list) else [dropout] * len(parts)
    return tuple((k, s, c, bn, d) for (k, s, c), d in zip(parts, drops, strict=True))


_ENC_32 = _rows("5/1/32 4/2/64 4/1/128 4/2/256 4/1/512 1/1/512", True, 0.0)
_DEC_32 = _rows("4/1/256 4/2/128 4/1/64 4/2/32 5/1/32", True, 0.0)

TABLES: dict[str, ALITable] = {
    # Table 3 (CIFAR-10): maxout discriminator without batch norm.
    "cifar32": ALITable(
        32, _ENC_32, _DEC_32, _rows("1/1/32", True, 0.0),
        d_x=_rows("5/1/32 4/2/64 4/1/128 4/2/256 4/1/512", False, [0.2, 0.5, 0.5, 0.5, 0.5]),
        d_z=_rows("1/1/512 1/1/512", False, [0.2, 0.5]),
        d_joint=_rows("1/1/1024 1/1/1024", False, 0.5),
        slope=0.1, maxout_pieces=2, paper_latent_dim=64),
    # Table 4 (SVHN): leaky ReLU discriminator with batch norm in the x branch.
    "svhn32": ALITable(
        32, _ENC_32, _DEC_32, _rows("1/1/32", True, 0.0),
        d_x=(_rows("5/1/32", False, 0.2) + _rows("4/2/64 4/1/128 4/2/256 4/1/512", True, 0.2)),
        d_z=_rows("1/1/512 1/1/512", False, 0.2),
        d_joint=_rows("1/1/1024 1/1/1024", False, 0.2),
        slope=0.01, maxout_pieces=0, paper_latent_dim=256),
    # Table 5 (CelebA, 64 px).
    "celeba64": ALITable(
        64, _rows("2/1/64 7/2/128 5/2/256 7/2/256 4/1/512", True, 0.0),
        _rows("4/1/512 7/2/256 5/2/256 7/2/128 2/1/64", True, 0.0), (),
        d_x=_rows("2/1/64 7/2/128 5/2/256 7/2/256 4/1/512", True, 0.0),
        d_z=_rows("1/1/1024 1/1/1024", False, 0.2),
        d_joint=_rows("1/1/2048 1/1/2048", False, 0.2),
        slope=0.02, maxout_pieces=0, paper_latent_dim=512),
    # Ours, for the MNIST family: the SVHN table with kernels fitted to 28 px.
    "mnist28": ALITable(
        28, _rows("5/1/32 4/2/64 4/1/128 4/2/256 3/1/512 1/1/512", True, 0.0),
        _rows("3/1/256 4/2/128 4/1/64 4/2/32 5/1/32", True, 0.0), _rows("1/1/32", True, 0.0),
        d_x=(_rows("5/1/32", False, 0.2) + _rows("4/2/64 4/1/128 4/2/256 3/1/512", True, 0.2)),
        d_z=_rows("1/1/512 1/1/512", False, 0.2),
        d_joint=_rows("1/1/1024 1/1/1024", False, 0.2),
        slope=0.1, maxout_pieces=0, paper_latent_dim=64),
}


def _scaled(maps: int, scale: float) -> int:
    return max(1, round(maps * scale))


def _stack(rows: tuple[Row, ...], in_ch: int, scale: float, slope: float, maxout: int = 0,
           dropout: float | None = None, transposed: bool = False,
           batch_norm: bool = True) -> tuple[list[nn.Module], int]:
    """ConvBlocks for rows, widths times scale; dropout overrides every row's when given."""
    blocks = []
    for kernel, stride, maps, bn, drop in rows:
        out_ch = _scaled(maps, scale)
        blocks.append(ConvBlock(in_ch, out_ch, kernel, stride, norm="batch" if bn and batch_norm else None,
                                slope=slope, dropout=drop if dropout is None else dropout,
                                maxout_pieces=maxout, transposed=transposed))
        in_ch = out_ch
    return blocks, in_ch


def table_encoder(table: ALITable, channels: int, out_dim: int, scale: float = 1.0) -> nn.Sequential:
    """x: (N, channels, R, R) -> (N, out_dim); out_dim = 2 * latent for a Gaussian encoder (mu, log sigma)."""
    blocks, ch = _stack(table.encoder, channels, scale, table.slope)
    return nn.Sequential(*blocks, ConvBlock(ch, out_dim, 1, activation=None), nn.Flatten())


def table_decoder(table: ALITable, latent_dim: int, channels: int, out_activation: str,
                  scale: float = 1.0, pixel_bias: bool = False) -> nn.Sequential:
    """z: (N, latent_dim) -> x: (N, channels, R, R), squashed by out_activation (tanh or sigmoid).

    pixel_bias: an untied bias per output pixel (PixelBias, its last module but the activation) after the last
    conv, as the authors' code; False: the conv's one bias per channel, as the paper's table.
    """
    up, ch = _stack(table.decoder, latent_dim, scale, table.slope, transposed=True)
    pointwise, ch = _stack(table.decoder_pointwise, ch, scale, table.slope)
    head = nn.Unflatten(1, (latent_dim, 1, 1))
    if not pixel_bias:
        return nn.Sequential(head, *up, *pointwise, ConvBlock(ch, channels, 1, activation=out_activation))
    out = ConvBlock(ch, channels, 1, activation=None)
    side = table.resolution
    return nn.Sequential(head, *up, *pointwise, out, PixelBias((channels, side, side)), make_activation(out_activation))


def table_discriminator_parts(table: ALITable, channels: int, latent_dim: int, scale: float = 1.0,
                              dropout: float | None = None, maxout_pieces: int | None = None,
                              batch_norm: bool = True, outputs: int = 1) -> tuple[nn.Module, nn.Module, nn.Module]:
    """(D_x, D_z, head) of the table: D_x (N, C, R, R) -> (N, Fx), D_z (N, d) -> (N, Fz), head -> (N, outputs).

    dropout / maxout_pieces None keep the table's values; batch_norm=False removes BN from D_x; outputs > 1
    gives one logit per class (the semi-supervised K+1-class discriminator).
    """
    pieces = table.maxout_pieces if maxout_pieces is None else maxout_pieces
    x_blocks, fx = _stack(table.d_x, channels, scale, table.slope, pieces, dropout, batch_norm=batch_norm)
    z_blocks, fz = _stack(table.d_z, latent_dim, scale, table.slope, pieces, dropout)
    h_blocks, fh = _stack(table.d_joint, fx + fz, scale, table.slope, pieces, dropout)
    last_drop = table.d_joint[-1][4] if dropout is None else dropout
    d_x = nn.Sequential(*x_blocks, nn.Flatten())
    d_z = nn.Sequential(nn.Unflatten(1, (latent_dim, 1, 1)), *z_blocks, nn.Flatten())
    head = nn.Sequential(nn.Unflatten(1, (fx + fz, 1, 1)), *h_blocks,
                         ConvBlock(fh, outputs, 1, activation=None, dropout=last_drop), nn.Flatten())
    return d_x, d_z, head
