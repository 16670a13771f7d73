"""The worked example of docs/adding-a-model.md: a small MLP autoencoder added as a user would add a model."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from latentgan.errors import ConfigError
from latentgan.models.base import DataShape, GenerativeModel, optimizer_step
from latentgan.models.registry import register_model


@dataclass
class TinyAutoencoderConfig:
    """The `model:` section of a config; every field can be set with --set model.KEY=VALUE."""

    name: str = "tiny-autoencoder"
    latent_dim: int = 8
    hidden: int = 64
    lr: float = 1e-3

    def validate(self) -> None:
        """Refuse values the model cannot use, with the fix in the message."""
        if min(self.latent_dim, self.hidden) < 1 or self.lr <= 0:
            raise ConfigError("model.latent_dim and model.hidden must be >= 1 and model.lr > 0")


@register_model("tiny-autoencoder", TinyAutoencoderConfig, "an MLP autoencoder: the adding-a-model example")
class TinyAutoencoder(GenerativeModel):
    """x -> z = E(x) -> D(z); samples decode N(0, I) codes (the base class's default prior)."""

    averaged_networks = ("encoder", "decoder")

    def __init__(self, config: TinyAutoencoderConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        size = int(torch.tensor(data_shape.sample_shape).prod())
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(size, config.hidden), nn.ReLU(),
                                     nn.Linear(config.hidden, config.latent_dim))
        squash = nn.Tanh() if data_shape.value_range == (-1.0, 1.0) else nn.Identity()
        self.decoder = nn.Sequential(nn.Linear(config.latent_dim, config.hidden), nn.ReLU(),
                                     nn.Linear(config.hidden, size), squash)
        self.optimizers["autoencoder"] = torch.optim.Adam(self.parameters(), lr=config.lr)

    def _encode(self, x: Tensor) -> Tensor:
        """Codes (N, latent_dim) for data x (N, *sample_shape); differentiable, so training can use it."""
        return self.encoder(x)

    def _decode(self, z: Tensor) -> Tensor:
        """Data (N, *sample_shape) for codes z (N, latent_dim); differentiable."""
        return self.decoder(z).view(z.shape[0], *self.data_shape.sample_shape)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One Adam step on the mean squared reconstruction error of the batch."""
        x = batch[0]
        loss = (self._decode(self._encode(x)) - x).pow(2).mean()
        optimizer_step(self.optimizers["autoencoder"], loss)
        return {"recon_loss": loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n samples decoded from random_codes, in the data range."""
        return self._decode(self.random_codes(n, generator))
