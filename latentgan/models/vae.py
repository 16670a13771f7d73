"""Variational autoencoder (Kingma and Welling), trained on the ELBO. For images: a stochastic DCGAN encoder and
the same DCGAN generator as the GAN and GLO use as its decoder (GLO's third baseline); for points: MLPs sized like
the 2-D GANs and ALI (the ALI paper's VAE baseline on the 25-Gaussian grid).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from latentgan import rng
from latentgan.errors import ConfigError
from latentgan.losses import reconstruction_loss
from latentgan.models.base import DataShape, GenerativeModel, optimizer_step
from latentgan.models.registry import register_model
from latentgan.nn import MLP, DCGANEncoder, DCGANGenerator, init_weights
from latentgan.nn.eval_mode import eval_mode

VAE_LOSSES = ("l2", "lap1", "l2+lap1")
VAE_ARCHS = ("auto", "dcgan", "mlp")


@dataclass
class VAEConfig:
    """VAE hyperparameters; the reconstruction term is D x per-pixel loss / (2 obs_std^2) (a Gaussian for l2).

    arch: auto (DCGAN for images, MLP for points) | dcgan | mlp; width sizes the DCGAN, hidden the MLPs.
    """

    name: str = "vae"
    arch: str = "auto"
    latent_dim: int = 32
    width: int = 32
    hidden: list[int] = field(default_factory=lambda: [128, 128, 128])
    loss: str = "l2"
    obs_std: float = 0.2
    lr: float = 1e-3
    kl_weight: float = 1.0

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices."""
        if self.loss not in VAE_LOSSES:
            raise ConfigError(f"model.loss '{self.loss}' is unknown; choose one of: {', '.join(VAE_LOSSES)}")
        if self.arch not in VAE_ARCHS:
            raise ConfigError(f"model.arch '{self.arch}' is unknown; choose one of: {', '.join(VAE_ARCHS)}")
        if not self.hidden or min(self.hidden) < 1:
            raise ConfigError(f"model.hidden must be a non-empty list of positive widths, got {self.hidden}")
        if min(self.latent_dim, self.width) < 1 or min(self.obs_std, self.lr) <= 0 or self.kl_weight < 0:
            raise ConfigError("model.latent_dim, width, obs_std and lr must be positive, kl_weight non-negative")


@register_model("vae", VAEConfig, "VAE: stochastic encoder, decoder (DCGAN for images, MLP for points), ELBO")
class VAE(GenerativeModel):
    """q(z|x) = N(mu, sigma^2) from the encoder, p(x|z) from the generator, prior N(0, I)."""

    averaged_networks = ("encoder", "generator")

    def __init__(self, config: VAEConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        self.arch = config.arch if config.arch != "auto" else ("dcgan" if data_shape.is_image else "mlp")
        if self.arch == "dcgan" and not data_shape.is_image:
            raise ConfigError("model.arch dcgan needs image data; use arch mlp (or auto) for points")
        if config.loss != "l2" and not data_shape.is_image:
            raise ConfigError(f"model.loss {config.loss} is a loss between images; use model.loss=l2 for points")
        self.encoder, self.generator = _networks(config, data_shape, self.arch)
        self.optimizers = {"vae": torch.optim.Adam(self.parameters(), config.lr)}

    def split(self, out: Tensor) -> tuple[Tensor, Tensor]:
        """The encoder's output (N, 2 * latent_dim) -> (mu, log_sigma), each (N, latent_dim)."""
        mu, log_sigma = out.chunk(2, dim=1)
        return mu, log_sigma

    def _decode(self, z: Tensor) -> Tensor:
        """Data (N, *sample_shape): images or points, from codes z: (N, latent_dim)."""
        return self.generator(z).view(z.shape[0], *self.data_shape.sample_shape)

    @torch.no_grad()
    def _encode(self, x: Tensor) -> Tensor:
        """The posterior mean mu: (N, latent_dim) for data x (N, *sample_shape)."""
        return self.split(self.encoder(x))[0]

    @torch.no_grad()
    def _reconstruct(self, x: Tensor) -> Tensor:
        """Decoded posterior means: (N, *sample_shape) -> (N, *sample_shape), networks in eval mode."""
        with eval_mode(self.encoder, self.generator):
            return self._decode(self._encode(x))

    def negative_elbo(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(loss, reconstruction term, KL), each the mean over the batch."""
        mu, log_sigma = self.split(self.encoder(x))
        z = mu + log_sigma.exp() * torch.randn_like(mu)
        recon = reconstruction_loss(self.config.loss, {"l2": 1.0, "lap1": 1.0}, self._decode(z), x, reduction="none")
        recon = recon.mean() * x[0].numel() / (2 * self.config.obs_std**2)
        kl = 0.5 * (mu.pow(2) + (2 * log_sigma).exp() - 2 * log_sigma - 1).sum(1).mean()
        return recon + self.config.kl_weight * kl, recon, kl

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One Adam step on the negative ELBO."""
        loss, recon, kl = self.negative_elbo(batch[0])
        optimizer_step(self.optimizers["vae"], loss)
        return {"loss": loss.detach(), "recon": recon.detach(), "kl": kl.detach()}

    def random_codes(self, n: int, generator: torch.Generator | None = None,
                     device: torch.device | str | None = None) -> Tensor:
        """z ~ N(0, I): (n, latent_dim) on device (the model's by default), drawn on the generator's device."""
        return rng.randn((n, self.config.latent_dim), generator, self.device if device is None else device)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n examples decoded from the prior, generator in eval mode."""
        with eval_mode(self.generator):
            return self._decode(self.random_codes(n, generator))


def _networks(config: VAEConfig, shape: DataShape, arch: str) -> tuple[nn.Module, nn.Module]:
    """(encoder x -> (N, 2 * latent_dim), decoder z -> x) for the resolved architecture."""
    out_activation = "tanh" if shape.value_range[0] < 0 else "sigmoid"
    if arch == "mlp":
        dim = int(torch.Size(shape.sample_shape).numel())
        encoder = nn.Sequential(nn.Flatten(), MLP(dim, 2 * config.latent_dim, config.hidden, activation="leaky_relu"))
        decoder = MLP(config.latent_dim, dim, config.hidden, activation="relu",
                      out_activation=out_activation if shape.is_image else None)
        return encoder, decoder
    channels, resolution = shape.sample_shape[0], shape.sample_shape[1]
    encoder = DCGANEncoder(channels, resolution, config.latent_dim, config.width, stochastic=True)
    decoder = DCGANGenerator(config.latent_dim, channels, resolution, config.width, True, out_activation)
    return init_weights(encoder, "dcgan"), init_weights(decoder, "dcgan")
