"""The plain GAN with any adversarial loss, on MLP or DCGAN networks: the baseline every method meets.

With `lens: {...}` in its config the GAN is a tempered GAN (Sajjadi et al. 2018): the discriminator sees
real data through a learned lens L (see `models/tempering.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from latentgan.errors import ConfigError
from latentgan.losses import LOSSES, get_loss, gradient_penalty
from latentgan.models.base import DataShape, GenerativeModel, optimizer_step
from latentgan.models.registry import register_model
from latentgan.models.tempering import attach_lens, lens_config_dict, lens_update
from latentgan.nn import INIT_SCHEMES, MLP, DCGANDiscriminator, DCGANGenerator, check_init_std, init_weights
from latentgan.nn.eval_mode import eval_mode
from latentgan.nn.priors import PRIORS


@dataclass
class GANConfig:
    """GAN hyperparameters; `arch: auto` picks an MLP for points and a DCGAN for images."""

    name: str = "gan"
    loss: str = "ns"
    arch: str = "auto"
    latent_dim: int = 64
    prior: str = "normal"
    hidden: list[int] = field(default_factory=lambda: [128, 128, 128])
    mlp_activation: str | None = None  # MLP units in G and D; null: ReLU in G, leaky ReLU in D
    width: int = 64
    g_batch_norm: bool = True
    d_batch_norm: bool | None = None
    d_dropout: float = 0.0
    maxout_pieces: int = 0
    init: str = "auto"
    # The std of init "normal" / "dcgan" (null: the scheme's own, 0.01 / 0.02); the ALI paper's grid draws it at
    # random per run (section 4.5).
    init_std: float | None = None
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: list[float] = field(default_factory=lambda: [0.5, 0.999])
    d_steps: int = 1
    gp_weight: float = 10.0
    lens: dict | None = None  # tempering lens, e.g. {k: 10000, width: 32}; null = no lens

    def validate(self) -> None:
        """Refuse values the model cannot use, naming the valid choices; fill in the lens's defaults."""
        self.lens = lens_config_dict(self.lens)  # so config.yaml records every lens setting
        if self.loss not in LOSSES:
            raise ConfigError(f"model.loss '{self.loss}' is unknown; choose one of: {', '.join(LOSSES)}")
        if self.arch not in ("auto", "mlp", "dcgan"):
            raise ConfigError(f"model.arch '{self.arch}' is unknown; choose auto, mlp or dcgan")
        if self.mlp_activation not in (None, "relu", "leaky_relu", "tanh"):
            raise ConfigError(f"model.mlp_activation '{self.mlp_activation}' is unknown; choose null, relu, "
                              "leaky_relu or tanh")
        if self.prior not in PRIORS:
            raise ConfigError(f"model.prior '{self.prior}' is unknown; choose one of: {', '.join(PRIORS)}")
        if self.init != "auto" and self.init not in INIT_SCHEMES:
            raise ConfigError(f"model.init '{self.init}' is unknown; choose auto or one of: "
                              f"{', '.join(INIT_SCHEMES)}")
        check_init_std(self.init, self.init_std)
        if self.latent_dim < 1 or self.d_steps < 1 or self.width < 1:
            raise ConfigError("model.latent_dim, model.d_steps and model.width must be at least 1")
        if min(self.lr_g, self.lr_d) <= 0:
            raise ConfigError(f"learning rates must be positive, got lr_g={self.lr_g}, lr_d={self.lr_d}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"model.betas must be two numbers in [0, 1), got {self.betas}")


def build_generator(cfg, shape: DataShape) -> nn.Module:
    """Generator for the data: MLP (N, latent) -> (N, D) for points, DCGAN -> (N, C, H, W) for images."""
    out_activation = "tanh" if shape.value_range[0] < 0 else "sigmoid"
    if _arch(cfg, shape) == "mlp":
        dim = int(torch.Size(shape.sample_shape).numel())
        act = out_activation if shape.is_image else None
        activation = cfg.mlp_activation or "relu"
        return MLP(cfg.latent_dim, dim, cfg.hidden, activation=activation, batch_norm=cfg.g_batch_norm and
                   shape.is_image, out_activation=act)
    channels, resolution = shape.sample_shape[0], shape.sample_shape[1]
    return DCGANGenerator(cfg.latent_dim, channels, resolution, cfg.width, cfg.g_batch_norm, out_activation)


def build_discriminator(cfg, shape: DataShape, batch_norm: bool) -> nn.Module:
    """Discriminator returning one raw score per example: (N, 1)."""
    if _arch(cfg, shape) == "mlp":
        dim = int(torch.Size(shape.sample_shape).numel())
        activation = cfg.mlp_activation or "leaky_relu"
        return MLP(dim, 1, cfg.hidden, activation=activation, batch_norm=batch_norm,
                   dropout=cfg.d_dropout, maxout_pieces=cfg.maxout_pieces)
    channels, resolution = shape.sample_shape[0], shape.sample_shape[1]
    return DCGANDiscriminator(channels, resolution, cfg.width, batch_norm, dropout=cfg.d_dropout,
                              maxout_pieces=cfg.maxout_pieces)


def _arch(cfg, shape: DataShape) -> str:
    if cfg.arch == "auto":
        return "dcgan" if shape.is_image else "mlp"
    if cfg.arch == "dcgan" and not shape.is_image:
        raise ConfigError("model.arch 'dcgan' needs image data; use arch mlp (or auto) for 2-D points")
    return cfg.arch


@register_model("gan", GANConfig, "GAN with minimax, ns, lsgan or wgan-gp loss on MLP or DCGAN networks, "
                "optionally tempered by a lens")
class GAN(GenerativeModel):
    """Generator and discriminator trained adversarially; D updates every step, G every d_steps steps.

    Update order of one step with a lens (Sajjadi et al. 2018 leave it open; this is ours):
    1. L(x) is computed once, with its graph only on steps that will update the lens;
    2. D updates on (L(x) detached, G(z)); WGAN-GP's penalty interpolates between L(x) and G(z);
    3. every d_steps steps: G updates on fresh codes against the new D, then the lens updates once on
       lambda(t) * L_A(D(L(x))) + ||x - L(x)||^2 against the new D, t counting these generator iterations.
    """

    averaged_networks = ("generator",)

    def __init__(self, config: GANConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        self.loss = get_loss(config.loss)
        # WGAN-GP's penalty is per example, which batch norm would couple across the batch; on 2-D
        # points batch norm in D only adds noise.
        d_bn = config.d_batch_norm
        if d_bn is None:
            d_bn = data_shape.is_image and not self.loss.needs_gradient_penalty
        # auto: N(0, 0.02) for DCGAN nets as in Radford et al.; PyTorch's default for MLPs, where
        # such small weights leave a deep MLP's output stuck near zero.
        init = config.init if config.init != "auto" else ("dcgan" if _arch(config, data_shape) == "dcgan"
                                                          else "default")
        self.generator = init_weights(build_generator(config, data_shape), init, config.init_std)
        self.discriminator = init_weights(build_discriminator(config, data_shape, d_bn), init, config.init_std)
        betas = tuple(config.betas)
        self.optimizers = {
            "generator": torch.optim.Adam(self.generator.parameters(), config.lr_g, betas=betas),
            "discriminator": torch.optim.Adam(self.discriminator.parameters(), config.lr_d, betas=betas),
        }
        # Built last from a forked RNG: G and D start from the same weights with and without a lens.
        self.lens_config, self.lens = attach_lens(self.optimizers, config.lens, data_shape, config.lr_d, betas)

    @property
    def needs_gradient_penalty(self) -> bool:
        """True for the WGAN-GP loss."""
        return bool(self.loss.needs_gradient_penalty)

    def _decode(self, z: Tensor) -> Tensor:
        """Generate data from latent codes z: (N, latent_dim)."""
        return self.generator(z).view(z.shape[0], *self.data_shape.sample_shape)

    def discriminator_step(self, x: Tensor) -> Tensor:
        """One discriminator update on a real (or lensed real) batch; returns its loss (with penalty if any)."""
        with torch.no_grad():
            fake = self._decode(self.random_codes(x.shape[0]))
        loss = self.loss.discriminator(self.discriminator(x), self.discriminator(fake))
        if self.loss.needs_gradient_penalty:
            loss = loss + self.config.gp_weight * gradient_penalty(self.discriminator, x, fake)
        optimizer_step(self.optimizers["discriminator"], loss)
        return loss.detach()

    def generator_step(self, n: int) -> Tensor:
        """One generator update on n fresh codes (D's parameters are frozen for the backward pass)."""
        self.discriminator.requires_grad_(False)
        try:
            loss = self.loss.generator(self.discriminator(self._decode(self.random_codes(n))))
            optimizer_step(self.optimizers["generator"], loss)
        finally:
            self.discriminator.requires_grad_(True)
        return loss.detach()

    def apply_lens(self, x: Tensor) -> Tensor:
        """L(x) for real images x: (N, C, H, W); x itself when the GAN has no lens."""
        return x if self.lens is None else self.lens(x)

    def lens_step(self, x: Tensor, lensed: Tensor, iteration: int) -> dict[str, Tensor]:
        """One lens update on lambda * L_A(D(L(x))) + ||x - L(x)||^2 (per-pixel mean), D frozen.

        lensed: L(x) with its graph, computed before this step's D and G updates (the lens has not
        changed since). With lambda = 0 D is skipped: only reconstruction trains the lens.
        """
        return lens_update(self.optimizers["lens"], self.lens_config, self.config.loss, self.discriminator,
                           self.discriminator, x, lensed, iteration)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """D update on this batch (through the lens); G and lens updates once every d_steps steps."""
        x = batch[0]
        g_turn = (step + 1) % self.config.d_steps == 0
        with torch.set_grad_enabled(g_turn and self.lens is not None):
            lensed = self.apply_lens(x)  # one lens forward serves D's update and the lens's own
        logs = {"d_loss": self.discriminator_step(lensed.detach())}
        if g_turn:
            logs["g_loss"] = self.generator_step(x.shape[0])
            if self.lens is not None:
                logs.update(self.lens_step(x, lensed, step // self.config.d_steps))
        return logs

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n samples in the data range, drawn with the generator in eval mode."""
        with eval_mode(self.generator):
            return self._decode(self.random_codes(n, generator))
