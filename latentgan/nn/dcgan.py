"""DCGAN-style generator, discriminator and encoder for 28, 32, 64 and 128 pixel images.

Every resolution is reached by stride-2 (transposed) convolutions with 4x4 kernels: 7 -> 14 -> 28
for 28 px, 4 -> 8 -> 16 -> 32 (-> 64 -> 128) otherwise. Feature maps double as resolution halves, from
`width` at the image end. Norms: "batch", "layer", "instance" or None; the default "auto" follows
the `batch_norm` flag, so `batch_norm=False` and `norm=None` both give a penalty-safe network.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

from latentgan import rng
from latentgan.errors import ConfigError
from latentgan.nn.blocks import ConvBlock, resolve_norm

# resolution -> (size of the smallest feature map, number of stride-2 layers)
_PLANS: dict[int, tuple[int, int]] = {28: (7, 2), 32: (4, 3), 64: (4, 4), 128: (4, 5)}
RESOLUTIONS: tuple[int, ...] = tuple(_PLANS)


def _plan(resolution: int) -> tuple[int, int]:
    if resolution not in _PLANS:
        raise ConfigError(
            f"DCGAN networks support resolution {', '.join(map(str, RESOLUTIONS))}; got {resolution}: resize the "
            "data with data.resize (e.g. data.resize=32) or use model.arch=mlp"
        )
    return _PLANS[resolution]


def _check_image(x: Tensor, channels: int, resolution: int, who: str) -> None:
    """Fail with the expected shape rather than deep inside a conv or linear layer."""
    if x.dim() != 4 or tuple(x.shape[1:]) != (channels, resolution, resolution):
        raise ValueError(
            f"{who} expects images (N, {channels}, {resolution}, {resolution}), got {tuple(x.shape)}"
        )


def _down_trunk(
    channels: int, resolution: int, width: int, norm: str | None, slope: float,
    dropout: float, maxout_pieces: int, spectral_norm: bool,
) -> tuple[nn.Sequential, int]:
    """Stride-2 conv blocks from the image to the smallest map; returns (trunk, flattened size)."""
    size, layers = _plan(resolution)
    blocks, in_ch = [], channels
    for i in range(layers):
        out_ch = width * 2**i
        first = i == 0
        blocks.append(ConvBlock(
            in_ch, out_ch, 4, stride=2, padding=1,
            norm=None if first else norm,  # DCGAN: no norm on the layer that sees the image
            slope=slope,
            dropout=0.0 if first else dropout,  # dropout after each activation, not on pixels
            maxout_pieces=maxout_pieces, spectral_norm=spectral_norm,
        ))
        in_ch = out_ch
    return nn.Sequential(*blocks), in_ch * size * size


class DCGANGenerator(nn.Module):
    """z: (N, latent_dim) or (N, latent_dim, 1, 1) -> x: (N, channels, resolution, resolution).

    ReLU and norm inside; `out_activation` ("tanh" for data in [-1, 1], "sigmoid" for [0, 1]) at the end.
    """

    def __init__(
        self,
        latent_dim: int,
        channels: int = 1,
        resolution: int = 28,
        width: int = 64,
        batch_norm: bool = True,
        out_activation: str | None = "tanh",
        norm: str | None = "auto",
    ) -> None:
        super().__init__()
        size, layers = _plan(resolution)
        norm = resolve_norm(batch_norm, norm)
        self.latent_dim, self.channels, self.resolution = latent_dim, channels, resolution
        in_ch = width * 2 ** (layers - 1)
        # A transposed conv with kernel = size on a 1x1 input is the usual linear projection.
        blocks = [ConvBlock(latent_dim, in_ch, size, norm=norm, activation="relu", transposed=True)]
        for _ in range(layers - 1):
            blocks.append(ConvBlock(in_ch, in_ch // 2, 4, 2, 1, norm=norm, activation="relu", transposed=True))
            in_ch //= 2
        blocks.append(ConvBlock(in_ch, channels, 4, 2, 1, activation=out_activation, transposed=True))
        self.net = nn.Sequential(*blocks)

    def forward(self, z: Tensor) -> Tensor:
        z = z.reshape(z.shape[0], -1)
        if z.shape[1] != self.latent_dim:
            raise ValueError(f"DCGANGenerator expects z of shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """x: (N, channels, resolution, resolution) -> (N, out_dim) raw logits (no sigmoid).

    `features(x)` gives the flattened last conv block, (N, feature_dim). With `maxout_pieces=k`
    each conv makes k times the maps and Maxout(k) replaces leaky ReLU.
    """

    def __init__(
        self,
        channels: int = 1,
        resolution: int = 28,
        width: int = 64,
        batch_norm: bool = True,
        slope: float = 0.2,
        dropout: float = 0.0,
        maxout_pieces: int = 0,
        out_dim: int = 1,
        spectral_norm: bool = False,
        norm: str | None = "auto",
    ) -> None:
        super().__init__()
        self.channels, self.resolution = channels, resolution
        self.trunk, self.feature_dim = _down_trunk(
            channels, resolution, width, resolve_norm(batch_norm, norm), slope, dropout, maxout_pieces, spectral_norm
        )
        head = nn.Linear(self.feature_dim, out_dim)
        self.head = nn.Sequential(
            nn.Dropout(dropout) if dropout > 0 else nn.Identity(),
            _spectral_norm(head) if spectral_norm else head,
        )

    def features(self, x: Tensor) -> Tensor:
        """x: (N, C, H, W) -> (N, feature_dim), the input of the final linear layer."""
        _check_image(x, self.channels, self.resolution, type(self).__name__)
        return self.trunk(x).flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


class DCGANEncoder(nn.Module):
    """x: (N, channels, resolution, resolution) -> z: (N, latent_dim).

    With `stochastic=True` the output is (N, 2 * latent_dim): mu and log_sigma side by side;
    `split(out)` separates them and `rsample(out)` draws z = mu + sigma * eps (reparameterised).
    """

    def __init__(
        self,
        channels: int = 1,
        resolution: int = 28,
        latent_dim: int = 64,
        width: int = 64,
        batch_norm: bool = True,
        slope: float = 0.2,
        stochastic: bool = False,
        norm: str | None = "auto",
    ) -> None:
        super().__init__()
        self.channels, self.resolution = channels, resolution
        self.latent_dim, self.stochastic = latent_dim, stochastic
        self.trunk, self.feature_dim = _down_trunk(
            channels, resolution, width, resolve_norm(batch_norm, norm), slope, 0.0, 0, False
        )
        self.head = nn.Linear(self.feature_dim, latent_dim * (2 if stochastic else 1))

    def forward(self, x: Tensor) -> Tensor:
        _check_image(x, self.channels, self.resolution, type(self).__name__)
        return self.head(self.trunk(x).flatten(1))

    def split(self, out: Tensor) -> tuple[Tensor, Tensor]:
        """out: (N, 2 * latent_dim) from a stochastic encoder -> (mu, log_sigma), each (N, latent_dim)."""
        if out.dim() != 2 or out.shape[1] != 2 * self.latent_dim:
            raise ValueError(
                f"split expects the stochastic output (N, {2 * self.latent_dim}), got {tuple(out.shape)}"
            )
        mu, log_sigma = out.chunk(2, dim=1)
        return mu, log_sigma

    def rsample(self, out: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """out: (N, 2 * latent_dim) -> z = mu + exp(log_sigma) * eps, (N, latent_dim), differentiable."""
        mu, log_sigma = self.split(out)
        eps = rng.randn(mu.shape, generator, mu.device, mu.dtype)
        return mu + log_sigma.exp() * eps
