"""The five CNN GANs of the latent-growing thesis (Sandström 2019, sec. 6.2): bGAN, bgGAN, cgGAN, lgGAN, clgGAN.

One engine: a growth schedule (`latentgan/growth.py`), a channel table per variant and the growing networks of
`nn/growing_cnn.py`. WGAN-GP (lambda 10), Adam(1e-4, betas (0, 0.99)), one critic and one generator update
per minibatch, leaky ReLU 0.2, He init. The prior is the thesis' unit-normalised Gaussian of the final latent
size, of which the first latent_k entries are used; `decode` takes the un-normalised Gaussian codes, so the
latent-order metric resamples blocks exactly as the thesis' random-walk protocol does.

Weights keep their final shapes (`nn/growing.py`), so one Adam per network serves every stage and keeps its
moments for the old weights. Its step count is per tensor: weights that join a tensor which already trained
start with zero moments but no bias-correction warm-up, so their first few updates are up to 1/sqrt(1 - beta2)
= 10x lr in size (for ~1/(1 - beta2) = 100 steps, while beta is still small). The thesis does not say how its
optimizer treated new weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from latentgan.errors import ConfigError
from latentgan.growth import GrowthSchedule, doubling_stages
from latentgan.losses import get_loss, gradient_penalty
from latentgan.models.base import DataShape, optimizer_step
from latentgan.models.growing import GrowingModel
from latentgan.models.registry import register_model
from latentgan.models.tempering import attach_lens, lens_config_dict, lens_update
from latentgan.nn.eval_mode import eval_mode
from latentgan.nn.growing import fade_in, resize_to
from latentgan.nn.growing_cnn import GrowingDiscriminator, GrowingGenerator


@dataclass(frozen=True)
class Variant:
    """What a variant grows: the latent space, the channels of every layer, the layers (resolution)."""

    grow_latent: bool
    grow_channels: bool
    grow_layers: bool

    @property
    def grows(self) -> bool:
        """False for bGAN, which trains its final network from the start."""
        return self.grow_latent or self.grow_layers


VARIANTS: dict[str, Variant] = {
    "bgan": Variant(False, False, False),
    "bggan": Variant(True, False, False),
    "cggan": Variant(True, True, False),
    "lggan": Variant(False, False, True),
    "clggan": Variant(True, True, True),
}


@dataclass
class GrowingCNNConfig:
    """Hyperparameters shared by the five variants; `name` picks the variant."""

    name: str = "clggan"
    latent_dim: int = 64  # final latent size = size of the normalised Gaussian prior
    width: int = 64  # channels at 4 px in the final networks, halved at every resolution doubling
    stages: int = 4  # growth stages (latent 8 -> 64 and/or 4 -> 32 px with the defaults); bGAN ignores it
    stable_steps: int = 2000  # steps each stage trains after its fade-in (stage 0: all its steps)
    fade_steps: int = 2000  # steps over which alpha, beta rise 0 -> 1 and tau 0 -> 1/2
    lr: float = 1e-4
    betas: list[float] = field(default_factory=lambda: [0.0, 0.99])
    # Tempering lens (Sajjadi et al. 2018) at full resolution before the stage's resizing: the critic sees the
    # stage's view of L(x); e.g. {k: 10000, width: 32}; null = no lens.
    lens: dict | None = None
    gp_weight: float = 10.0

    def validate(self) -> None:
        """Refuse values the engine cannot use, naming the fix."""
        if self.name not in VARIANTS:
            raise ConfigError(f"model.name '{self.name}' is not a growing CNN; choose one of {', '.join(VARIANTS)}")
        if self.latent_dim < 1 or self.width < 1 or self.stages < 1:
            raise ConfigError("model.latent_dim, model.width and model.stages must be at least 1")
        if self.stable_steps < 1 or self.fade_steps < 0:
            raise ConfigError(f"model.stable_steps must be >= 1 and model.fade_steps >= 0, got "
                              f"{self.stable_steps} and {self.fade_steps}")
        if self.lr <= 0 or self.gp_weight < 0:
            raise ConfigError(f"model.lr must be positive and model.gp_weight >= 0, got {self.lr}, {self.gp_weight}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"model.betas must be two numbers in [0, 1), got {self.betas}")
        self.lens = lens_config_dict(self.lens)  # so config.yaml records every lens setting


def channel_table(variant: Variant, width: int, levels: int, stages: int) -> list[list[int]]:
    """channels[k][l] at level l (4 * 2**l px) in stage k; 0 where the level is not built yet.

    Final: width / 2**l. cgGAN caps every layer at width * 2**(k - K + 1) (Tables 4-5); clgGAN scales every
    built level by 2**(k - K + 1) (Tables 10-15); lgGAN builds level l from stage l - (L - K) (Tables 6-9).
    """
    if width % 2 ** (max(levels, stages) - 1):
        raise ConfigError(f"model.width {width} must be divisible by {2 ** (max(levels, stages) - 1)} for "
                          f"{levels} resolution levels and {stages} stages")
    final = [width >> level for level in range(levels)]
    table = []
    for k in range(stages):
        shrink = 2 ** (stages - 1 - k)
        built = [variant.grow_layers is False or level <= k + levels - stages for level in range(levels)]
        if variant.grow_channels and variant.grow_layers:
            row = [c // shrink for c in final]
        elif variant.grow_channels:
            row = [min(c, width // shrink) for c in final]
        else:
            row = list(final)
        table.append([c if b else 0 for c, b in zip(row, built, strict=True)])
    return table


def _levels(shape: DataShape, name: str) -> int:
    if not shape.is_image or shape.sample_shape[1] != shape.sample_shape[2]:
        raise ConfigError(f"model {name} needs square images; set data.pad_to or data.resize (e.g. data.pad_to=32)")
    resolution = shape.sample_shape[1]
    if resolution < 4 or resolution & (resolution - 1):
        raise ConfigError(f"model {name} needs a power-of-two resolution >= 4, got {resolution}; use data.pad_to=32")
    return resolution.bit_length() - 2  # 4 px is level 0


class GrowingCNNGAN(GrowingModel):
    """A WGAN-GP whose networks follow a growth schedule; `on_step` moves it through the stages."""

    def __init__(self, config: GrowingCNNConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        self.variant = VARIANTS[config.name]
        self.loss = get_loss("wgan-gp")
        levels, resolution = _levels(data_shape, config.name), data_shape.sample_shape[1]
        n_stages = config.stages if self.variant.grows else 1
        stages = doubling_stages(n_stages, config.latent_dim, resolution, self.variant.grow_latent, n_stages > 1)
        self.schedule = GrowthSchedule(stages, config.stable_steps, config.fade_steps)
        self.channels = channel_table(self.variant, config.width, levels, n_stages)
        latents = [s.latent_dim for s in stages]
        rgb = list(range(levels)) if self.variant.grow_layers else [levels - 1]
        self.generator = GrowingGenerator(latents, self.channels, data_shape.sample_shape[0], rgb)
        self.discriminator = GrowingDiscriminator(self.channels, data_shape.sample_shape[0], rgb)
        betas = tuple(config.betas)
        self.optimizers = {
            "generator": torch.optim.Adam(self.generator.parameters(), config.lr, betas=betas, eps=1e-8),
            "discriminator": torch.optim.Adam(self.discriminator.parameters(), config.lr, betas=betas, eps=1e-8),
        }
        # Built last from a forked RNG: G and D start from the same weights with and without a lens.
        self.lens_config, self.lens = attach_lens(self.optimizers, config.lens, data_shape, config.lr, betas)
        self.start_growth()

    def _generate(self, g: Tensor) -> Tensor:
        # The thesis' prior: the final-size Gaussian normalised to unit length, first latent_k entries used.
        z = g / g.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return self.generator(z, self.growth)

    @property
    def needs_gradient_penalty(self) -> bool:
        """Always: these models train with WGAN-GP."""
        return True

    def _decode(self, g: Tensor) -> Tensor:
        """Images (N, C, R, R) in [-1, 1] from Gaussian codes g: (N, latent_dim); early stages are upsampled."""
        return resize_to(self._generate(g), self.data_shape.sample_shape[1])

    def real_images(self, x: Tensor) -> Tensor:
        """What the critic sees of real x: (N, C, R, R) at the stage's resolution (Fig. 4), blended while fading.

        Layer-growing variants get the stage's resolution; the others get it upsampled back to R (Fig. 4).
        """
        state, stages = self.growth, self.schedule.stages
        resolution = stages[state.stage].resolution
        real = resize_to(x, resolution)
        if state.stage > 0 and state.fading and stages[state.stage - 1].resolution < resolution:
            real = fade_in(state.alpha, real, resize_to(resize_to(x, stages[state.stage - 1].resolution), resolution))
        return real if self.variant.grow_layers else resize_to(real, x.shape[-1])

    def critic(self, x: Tensor) -> Tensor:
        """Critic scores (N, 1) of images at the current stage's resolution."""
        return self.discriminator(x, self.growth)

    def active_parameters(self) -> int:
        """Weights and biases G and D use at the current stage (Figure 27)."""
        k, fading = self.growth.stage, self.growth.fading
        return self.generator.active_parameters(k, fading) + self.discriminator.active_parameters(k, fading)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """One critic update (WGAN-GP) and one generator update on this minibatch (then the lens's, if any)."""
        x = batch[0]
        with torch.set_grad_enabled(self.lens is not None):
            lensed = x if self.lens is None else self.lens(x)  # one lens forward serves D and the lens's update
        real = self.real_images(lensed.detach())
        n = real.shape[0]
        with torch.no_grad():
            fake = self._generate(self.random_codes(n))
        d_loss = self.loss.discriminator(self.critic(real), self.critic(fake))
        d_loss = d_loss + self.config.gp_weight * gradient_penalty(self.critic, real, fake)
        optimizer_step(self.optimizers["discriminator"], d_loss)
        self.discriminator.requires_grad_(False)
        try:
            g_loss = self.loss.generator(self.critic(self._generate(self.random_codes(n))))
            optimizer_step(self.optimizers["generator"], g_loss)
        finally:
            self.discriminator.requires_grad_(True)
        logs = {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "stage": float(self.growth.stage),
                "alpha": self.growth.alpha, "latent_dim": float(self.latent_dim),
                "params_active": float(self.active_parameters())}
        if self.lens is not None:
            logs.update(lens_update(self.optimizers["lens"], self.lens_config, "wgan-gp", self.discriminator,
                                    lambda shown: self.critic(self.real_images(shown)), x, lensed, step))
        self.finish_step(step)
        return logs

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n images (n, C, R, R) from the current stage's generator."""
        with eval_mode(self.generator):
            return self._decode(self.random_codes(n, generator))




# One config class per variant: the config loader fills `name` from the class default, so each variant needs its own.
@dataclass
class BGANConfig(GrowingCNNConfig):
    """bGAN: the final network from the start (Tables 2-3)."""

    name: str = "bgan"


@dataclass
class BgGANConfig(GrowingCNNConfig):
    """bgGAN: the latent space grows, only g1 adapts (sec. 6.2.2)."""

    name: str = "bggan"


@dataclass
class CgGANConfig(GrowingCNNConfig):
    """cgGAN: latent space and all channels grow (Tables 4-5)."""

    name: str = "cggan"


@dataclass
class LgGANConfig(GrowingCNNConfig):
    """lgGAN: layers grow with the resolution (Tables 6-9)."""

    name: str = "lggan"


@dataclass
class ClgGANConfig(GrowingCNNConfig):
    """clgGAN: latent space, channels and layers grow (Tables 10-15)."""

    name: str = "clggan"


for _name, _config, _description in [
    ("bgan", BGANConfig, "latent-growing thesis baseline: the final CNN from the start, WGAN-GP"),
    ("bggan", BgGANConfig, "bGAN whose latent space grows (8 -> 64); only the first layer adapts"),
    ("cggan", CgGANConfig, "latent space and all channels grow together"),
    ("lggan", LgGANConfig, "progressive growing of layers (Karras et al.), fixed latent"),
    ("clggan", ClgGANConfig, "latent space, channels and layers grow together"),
]:
    register_model(_name, _config, _description)(GrowingCNNGAN)
