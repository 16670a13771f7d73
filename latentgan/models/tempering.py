"""The tempering-lens switch shared by adversarial models (Sajjadi et al. 2018): its config, weight and network.

A model with `lens: {k: 10000, width: 32}` in its config shows its discriminator L(x) instead of real x
and trains L with lambda(t) * L_A + ||x - L(x)||^2. The adversarial terms L_A live in
`latentgan.losses.LENS_ADVERSARIAL`; the update itself belongs to the model (see `GAN.lens_step`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from latentgan.errors import ConfigError
from latentgan.nn import Lens, init_weights
from latentgan.train.schedules import sine_decay


@dataclass
class LensConfig:
    """The `model.lens` mapping; every key is optional.

    k: steps over which lambda falls from 1 to 0 (the paper's K: 10^5 in its text, 10k in Figs. 2 and 7);
    fixed_lambda: a constant lambda instead of the schedule (1.0 for the paper's Fig. 5);
    width, blocks: the lens's feature maps and residual blocks; lr: the lens's Adam rate (null = model.lr_d).
    """

    k: int = 10_000
    width: int = 32
    blocks: int = 8
    fixed_lambda: float | None = None
    lr: float | None = None

    def validate(self) -> None:
        """Refuse values the lens cannot use."""
        if self.k < 0 or self.width < 1 or self.blocks < 0:
            raise ConfigError(f"model.lens needs k >= 0, width >= 1 and blocks >= 0; got k={self.k}, "
                              f"width={self.width}, blocks={self.blocks}")
        if self.fixed_lambda is not None and self.fixed_lambda < 0:
            raise ConfigError(f"model.lens.fixed_lambda must be >= 0 or null, got {self.fixed_lambda}")
        if self.lr is not None and self.lr <= 0:
            raise ConfigError(f"model.lens.lr must be positive or null, got {self.lr}")


def lens_config(value: dict) -> LensConfig:
    """Validate a `model.lens` mapping into a LensConfig; unknown keys and wrong types are ConfigErrors."""
    from latentgan.config import build_dataclass

    if not isinstance(value, dict):
        raise ConfigError(f"model.lens must be a mapping such as {{k: 10000, width: 32}} or null, got {value!r}")
    config = build_dataclass(LensConfig, value, "model.lens")
    config.validate()
    return config


def lens_config_dict(value: dict) -> dict:
    """The mapping with every default filled in, as a run's config.yaml records it."""
    return dataclasses.asdict(lens_config(value))


def lens_weight(step: int, config: LensConfig) -> float:
    """lambda at a step: the fixed value if set, else 1 - sin(t pi / 2K) for t <= K, then 0 (paper eq. 4)."""
    if config.fixed_lambda is not None:
        return float(config.fixed_lambda)
    return sine_decay(step, config.k)


def build_lens(channels: int, config: LensConfig) -> Lens:
    """A Xavier-initialised lens drawn from a forked RNG, so building it leaves the caller's RNG untouched.

    Models build their other networks first; with the RNG forked, G and D get the same initial weights,
    and training the same random draws, whether or not the config asks for a lens (the paper's protocol).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(torch.initial_seed() + 0x1E45)  # decorrelate the lens's weights from the first z
        return init_weights(Lens(channels, config.width, config.blocks), "xavier")
