"""IVE-GAN's appendix architectures (Tables 2 and 3) as data, and the builders that turn them into networks.

Each conv row is (kernel, stride, feature maps, batch norm?). Encoder and feature network D_enc share the
conv trunk layout; the generator starts from a dense layer reshaped to a small map and climbs by transposed
convolutions with TensorFlow's "same" padding, as the paper's code did. Table 1 (the 2-D MLPs) is built in
`models/ive_gan.py` from `nn.MLP`.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

Row = tuple[int, int, int, bool]  # kernel, stride, feature maps, batch norm


@dataclass(frozen=True)
class IVETable:
    """One appendix table: conv trunk (E and D_enc), generator start map and rows, the two heads' widths."""

    resolution: int
    trunk: tuple[Row, ...]
    generator_start: tuple[int, int]  # (size, maps) of the map the generator's dense layer is reshaped to
    generator: tuple[Row, ...]  # the last row's maps are replaced by the image's channels
    joint_head: tuple[int, ...]  # hidden widths of D(a, x) on concat(D_enc(a), D_enc(x))
    marginal_head: tuple[int, ...]  # hidden widths of D0 on D_enc(x)


TABLES: dict[str, IVETable] = {
    # Table 2 (MNIST): the generator ends at 32 px, so 28 px digits are padded to 32 (data.pad_to=32).
    "mnist32": IVETable(
        32,
        trunk=((5, 2, 64, True), (3, 2, 128, True), (3, 2, 256, True), (3, 2, 256, True), (2, 1, 256, True)),
        generator_start=(4, 256),
        generator=((3, 2, 256, True), (3, 2, 128, True), (5, 2, 64, False), (5, 1, 1, False)),
        joint_head=(128, 64, 16), marginal_head=(64,)),
    # Table 3 (CelebA, centre-cropped to 128 px).
    "celeba128": IVETable(
        128,
        trunk=((5, 2, 128, True), (5, 2, 128, True), (5, 2, 256, True), (3, 2, 256, True), (3, 2, 512, True),
               (3, 2, 512, True), (2, 1, 1024, True)),
        generator_start=(2, 1024),
        generator=((2, 2, 512, True), (2, 1, 512, True), (3, 2, 256, True), (3, 1, 256, True), (3, 2, 256, True),
                   (3, 1, 256, True), (5, 2, 128, True), (5, 1, 128, True), (5, 2, 128, True), (5, 1, 128, False),
                   (5, 2, 64, False), (5, 1, 3, False)),
        joint_head=(1024, 512, 128), marginal_head=(128,)),
}


def _maps(maps: int, scale: float) -> int:
    return max(1, round(maps * scale))


def conv_trunk(table: IVETable, channels: int, scale: float) -> tuple[nn.Sequential, int]:
    """Strided conv + BN + leaky ReLU rows down to a 1x1 map; returns (trunk, flattened size)."""
    layers, size, in_ch = [], table.resolution, channels
    for kernel, stride, maps, bn in table.trunk:
        out_ch = _maps(maps, scale)
        # 'same' padding for the stride-2 rows; the final 2x2 stride-1 row is 'valid' and ends at 1x1.
        padding = (kernel - 1) // 2 if stride == 2 else 0
        layers += [nn.Conv2d(in_ch, out_ch, kernel, stride, padding, bias=not bn)]
        layers += [nn.BatchNorm2d(out_ch)] if bn else []
        layers += [nn.LeakyReLU(0.2)]
        size = (size + 2 * padding - kernel) // stride + 1
        in_ch = out_ch
    return nn.Sequential(*layers, nn.Flatten()), in_ch * size * size


class _CropLast(nn.Module):
    """Drop the last row and column: 'same' padding for an even kernel at stride 1 is asymmetric."""

    def forward(self, x: Tensor) -> Tensor:
        return x[:, :, :-1, :-1]


def _up_row(in_ch: int, out_ch: int, kernel: int, stride: int) -> list[nn.Module]:
    if stride == 2:
        # 'same' transposed conv doubling the size: (n - 1) * 2 - 2p + k + op = 2n.
        padding, output_padding = (kernel - 1) // 2, kernel % 2
        return [nn.ConvTranspose2d(in_ch, out_ch, kernel, 2, padding, output_padding)]
    if kernel % 2:
        return [nn.ConvTranspose2d(in_ch, out_ch, kernel, 1, (kernel - 1) // 2)]
    return [nn.ConvTranspose2d(in_ch, out_ch, kernel, 1, 0), _CropLast()]


class TableGenerator(nn.Module):
    """(N, in_dim) -> (N, channels, R, R): dense + BN + leaky ReLU, reshape, then the table's transposed convs."""

    def __init__(self, table: IVETable, in_dim: int, channels: int, out_activation: str, scale: float):
        super().__init__()
        size, maps = table.generator_start
        maps = _maps(maps, scale)
        self.start = (maps, size, size)
        self.dense = nn.Sequential(nn.Linear(in_dim, maps * size * size), nn.BatchNorm1d(maps * size * size),
                                   nn.LeakyReLU(0.2))
        layers, in_ch = [], maps
        for i, (kernel, stride, rows_maps, bn) in enumerate(table.generator):
            last = i == len(table.generator) - 1
            out_ch = channels if last else _maps(rows_maps, scale)
            layers += _up_row(in_ch, out_ch, kernel, stride)
            if not last:
                layers += [nn.BatchNorm2d(out_ch)] if bn else []
                layers += [nn.LeakyReLU(0.2)]
            in_ch = out_ch
        layers.append(nn.Tanh() if out_activation == "tanh" else nn.Sigmoid())
        self.convs = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.convs(self.dense(z).view(z.shape[0], *self.start))


def code_head(latent_dim: int, norm: bool = True) -> list[nn.Module]:
    """The encoder's last layers after its dense output: [batch norm without affine,] tanh."""
    return [nn.BatchNorm1d(latent_dim, affine=False), nn.Tanh()] if norm else [nn.Tanh()]


def table_encoder(table: IVETable, channels: int, latent_dim: int, scale: float,
                  code_norm: bool = False) -> nn.Sequential:
    """E(x): conv trunk, then a dense layer to the code with tanh (codes live in the uniform prior's cube)."""
    trunk, flat = conv_trunk(table, channels, scale)
    return nn.Sequential(trunk, nn.Linear(flat, latent_dim), *code_head(latent_dim, code_norm))


def table_features(table: IVETable, channels: int, features: int, scale: float) -> nn.Sequential:
    """D_enc(x): conv trunk, then a dense layer of `features` units with leaky ReLU."""
    trunk, flat = conv_trunk(table, channels, scale)
    return nn.Sequential(trunk, nn.Linear(flat, features), nn.LeakyReLU(0.2))
