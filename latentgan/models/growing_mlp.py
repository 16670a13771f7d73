"""The latent-growing MLP GAN of the thesis' Swiss-roll study (Sandström 2019, sec. 6.1 and 7.1).

The generator's first layer reads start_latent_dim of the latent_dim coordinates until step `grow_at`, then
all of them: the m - n new input columns start at zero, so growing leaves the generator's function unchanged,
and RMSprop keeps its running averages for the old weights. The discriminator never changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor

from latentgan.errors import ConfigError
from latentgan.growth import GrowthSchedule, Stage
from latentgan.losses import LOSSES, get_loss
from latentgan.models.base import DataShape, optimizer_step
from latentgan.models.growing import GrowingModel
from latentgan.models.registry import register_model
from latentgan.nn import MLP
from latentgan.nn.eval_mode import eval_mode
from latentgan.nn.growing import GrowingLinear
from latentgan.nn.priors import PRIORS


@dataclass
class GrowMLPConfig:
    """Swiss-roll MLP GAN: 4 hidden layers of 32, leaky ReLU 0.2, RMSprop, ten updates per minibatch."""

    name: str = "grow-mlp"
    latent_dim: int = 2  # m, the final latent size
    start_latent_dim: int = 1  # n; equal to latent_dim trains from scratch without growing
    grow_at: int = 7500  # the minibatch step at which the latent space grows n -> m
    hidden: list[int] = field(default_factory=lambda: [32, 32, 32, 32])
    lr: float = 1e-3
    updates_per_batch: int = 10  # "for each minibatch, the generator and discriminator are updated ten times"
    loss: str = "ns"
    prior: str = "uniform"

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices."""
        if not 1 <= self.start_latent_dim <= self.latent_dim:
            raise ConfigError(f"model.start_latent_dim must be in 1..model.latent_dim ({self.latent_dim}), "
                              f"got {self.start_latent_dim}")
        if self.grow_at < 1 or self.updates_per_batch < 1 or not self.hidden or min(self.hidden) < 1:
            raise ConfigError("model.grow_at, model.updates_per_batch and every model.hidden width must be >= 1")
        if self.lr <= 0:
            raise ConfigError(f"model.lr must be positive, got {self.lr}")
        if self.loss not in LOSSES or LOSSES[self.loss].needs_gradient_penalty:
            raise ConfigError(f"model.loss '{self.loss}' is not usable here; choose minimax, ns or lsgan")
        if self.prior not in PRIORS:
            raise ConfigError(f"model.prior '{self.prior}' is unknown; choose one of: {', '.join(PRIORS)}")


class GrowingMLPGenerator(torch.nn.Module):
    """z: (N, >= latent_k) -> (N, out_dim): a growing first layer, then an MLP, leaky ReLU 0.2, linear output."""

    def __init__(self, latents: list[int], out_dim: int, hidden: list[int]):
        super().__init__()
        self.first = GrowingLinear(latents, [hidden[0]] * len(latents), zero_new_inputs=True)
        self.rest = MLP(hidden[0], out_dim, hidden[1:], activation="leaky_relu", slope=0.2)

    def forward(self, z: Tensor, stage: int) -> Tensor:
        return self.rest(F.leaky_relu(self.first(z, stage), 0.2))


@register_model("grow-mlp", GrowMLPConfig, "MLP GAN for 2-D points whose latent space grows n -> m by zero columns")
class GrowingMLPGAN(GrowingModel):
    """Non-saturating GAN on points; the generator's latent input grows once, at step grow_at."""

    def __init__(self, config: GrowMLPConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        if data_shape.is_image or len(data_shape.sample_shape) != 1:
            raise ConfigError("model grow-mlp needs points (N, D) such as data.name=swissroll")
        dim = data_shape.sample_shape[0]
        stages = [Stage(config.start_latent_dim)] + ([Stage(config.latent_dim)]
                                                     if config.start_latent_dim < config.latent_dim else [])
        self.schedule = GrowthSchedule(stages, config.grow_at, 0)
        self.loss = get_loss(config.loss)
        self.generator = GrowingMLPGenerator([s.latent_dim for s in stages], dim, config.hidden)
        self.discriminator = MLP(dim, 1, config.hidden, activation="leaky_relu", slope=0.2)
        self.optimizers = {"generator": torch.optim.RMSprop(self.generator.parameters(), config.lr),
                           "discriminator": torch.optim.RMSprop(self.discriminator.parameters(), config.lr)}
        self.start_growth()

    def _decode(self, z: Tensor) -> Tensor:
        """Points (N, D) from codes z: (N, latent_dim); only the first latent_k coordinates are read."""
        return self.generator(z, self.growth.stage)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """updates_per_batch (D, G) update pairs on this minibatch, each with fresh codes."""
        x = batch[0]
        d_total = g_total = torch.zeros((), device=x.device)
        for _ in range(self.config.updates_per_batch):
            with torch.no_grad():
                fake = self._decode(self.random_codes(x.shape[0]))
            d_loss = self.loss.discriminator(self.discriminator(x), self.discriminator(fake))
            optimizer_step(self.optimizers["discriminator"], d_loss)
            self.discriminator.requires_grad_(False)
            try:
                g_loss = self.loss.generator(self.discriminator(self._decode(self.random_codes(x.shape[0]))))
                optimizer_step(self.optimizers["generator"], g_loss)
            finally:
                self.discriminator.requires_grad_(True)
            d_total, g_total = d_total + d_loss.detach(), g_total + g_loss.detach()
        self.finish_step(step)
        n = self.config.updates_per_batch
        return {"d_loss": d_total / n, "g_loss": g_total / n, "latent_dim": float(self.latent_dim)}

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n points (n, D) from the current generator."""
        with eval_mode(self.generator):
            return self._decode(self.random_codes(n, generator))
