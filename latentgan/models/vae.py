"""Variational autoencoder (Kingma and Welling) with DCGAN networks: a stochastic DCGAN encoder and the same
DCGAN generator as the GAN and GLO use as its decoder, trained on the ELBO. GLO's third baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from latentgan.errors import ConfigError
from latentgan.models.base import DataShape, GenerativeModel, optimizer_step
from latentgan.models.glo import reconstruction_loss
from latentgan.models.registry import register_model
from latentgan.nn import DCGANEncoder, DCGANGenerator, init_weights
from latentgan.nn.eval_mode import eval_mode

VAE_LOSSES = ("l2", "lap1", "l2+lap1")


@dataclass
class VAEConfig:
    """VAE hyperparameters; the reconstruction term is D x per-pixel loss / (2 obs_std^2) (a Gaussian for l2)."""

    name: str = "vae"
    latent_dim: int = 32
    width: int = 32
    loss: str = "l2"
    obs_std: float = 0.2
    lr: float = 1e-3
    kl_weight: float = 1.0

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices."""
        if self.loss not in VAE_LOSSES:
            raise ConfigError(f"model.loss '{self.loss}' is unknown; choose one of: {', '.join(VAE_LOSSES)}")
        if min(self.latent_dim, self.width) < 1 or min(self.obs_std, self.lr) <= 0 or self.kl_weight < 0:
            raise ConfigError("model.latent_dim, width, obs_std and lr must be positive, kl_weight non-negative")


@register_model("vae", VAEConfig, "VAE with a stochastic DCGAN encoder and the DCGAN generator as decoder")
class VAE(GenerativeModel):
    """q(z|x) = N(mu, sigma^2) from the encoder, p(x|z) from the generator, prior N(0, I)."""

    def __init__(self, config: VAEConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        if not data_shape.is_image:
            raise ConfigError("the VAE uses DCGAN networks and needs image data")
        channels, resolution = data_shape.sample_shape[0], data_shape.sample_shape[1]
        out_activation = "tanh" if data_shape.value_range[0] < 0 else "sigmoid"
        self.encoder = init_weights(DCGANEncoder(channels, resolution, config.latent_dim, config.width,
                                                 stochastic=True), "dcgan")
        self.generator = init_weights(DCGANGenerator(config.latent_dim, channels, resolution, config.width,
                                                     True, out_activation), "dcgan")
        self.optimizers = {"vae": torch.optim.Adam(self.parameters(), config.lr)}

    def decode(self, z: Tensor) -> Tensor:
        """Images (N, C, H, W) from codes z: (N, latent_dim)."""
        return self.generator(z).view(z.shape[0], *self.data_shape.sample_shape)

    @torch.no_grad()
    def encode(self, x: Tensor) -> Tensor:
        """The posterior mean mu: (N, latent_dim) for images x (N, C, H, W)."""
        return self.encoder.split(self.encoder(x))[0]

    def negative_elbo(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(loss, reconstruction term, KL), each the mean over the batch."""
        out = self.encoder(x)
        mu, log_sigma = self.encoder.split(out)
        recon = reconstruction_loss(self.config.loss, {"l2": 1.0, "lap1": 1.0}, self.decode(self.encoder.rsample(out)),
                                    x, reduction="none")
        recon = recon.mean() * x[0].numel() / (2 * self.config.obs_std**2)
        kl = 0.5 * (mu.pow(2) + (2 * log_sigma).exp() - 2 * log_sigma - 1).sum(1).mean()
        return recon + self.config.kl_weight * kl, recon, kl

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One Adam step on the negative ELBO."""
        loss, recon, kl = self.negative_elbo(batch[0])
        optimizer_step(self.optimizers["vae"], loss)
        return {"loss": loss.detach(), "recon": recon.detach(), "kl": kl.detach()}

    def prior(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """z ~ N(0, I): (n, latent_dim)."""
        return torch.randn(n, self.config.latent_dim, generator=generator).to(self.device)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n images decoded from the prior, generator in eval mode."""
        with eval_mode(self.generator):
            return self.decode(self.prior(n, generator))
