"""The tempering-lens switch shared by adversarial models (Sajjadi et al. 2018): its config, weight and network.

A model with `lens: {k: 10000, width: 32}` in its config shows its discriminator L(x) instead of real x
and trains L with lambda(t) * L_A + ||x - L(x)||^2. The adversarial terms L_A live in
`latentgan.losses.LENS_ADVERSARIAL`; `lens_update` is one lens step, which each model calls with its own
discriminator (the GAN's D(L(x)); ALI's joint D(L(x), G_z(x))).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from latentgan.errors import ConfigError
from latentgan.losses import LENS_ADVERSARIAL, mse_loss
from latentgan.models.base import DataShape, optimizer_step
from latentgan.nn import Lens, init_weights
from latentgan.schedules import sine_decay

LENS_RECONSTRUCTIONS = ("mean", "sum")
LENS_INITS = ("xavier", "identity")


@dataclass
class LensConfig:
    """The `model.lens` mapping; every key is optional.

    k: steps over which lambda falls from 1 to 0 (the paper's K: 10^5 in its text, 10k in Figs. 2 and 7);
    fixed_lambda: a constant lambda instead of the schedule (1.0 for the paper's Fig. 5);
    width, blocks: the lens's feature maps and residual blocks; lr: the lens's Adam rate (null = model.lr_d);
    reconstruction: ||x - L(x)||^2 as the per-pixel "mean" or the "sum" over pixels (eq. 2 as written; the
    adversarial term is then C*H*W times weaker); init: "xavier" everywhere, or "identity" (last conv zeroed,
    so L(x) = x at step 0). The paper states neither choice.
    """

    k: int = 10_000
    width: int = 32
    blocks: int = 8
    fixed_lambda: float | None = None
    lr: float | None = None
    reconstruction: str = "mean"
    init: str = "xavier"

    def validate(self) -> None:
        """Refuse values the lens cannot use."""
        if self.k < 0 or self.width < 1 or self.blocks < 0:
            raise ConfigError(f"model.lens needs k >= 0, width >= 1 and blocks >= 0; got k={self.k}, "
                              f"width={self.width}, blocks={self.blocks}")
        if self.fixed_lambda is not None and self.fixed_lambda < 0:
            raise ConfigError(f"model.lens.fixed_lambda must be >= 0 or null, got {self.fixed_lambda}")
        if self.lr is not None and self.lr <= 0:
            raise ConfigError(f"model.lens.lr must be positive or null, got {self.lr}")
        for key, value, choices in (("reconstruction", self.reconstruction, LENS_RECONSTRUCTIONS),
                                    ("init", self.init, LENS_INITS)):
            if value not in choices:
                raise ConfigError(f"model.lens.{key} '{value}' is unknown; choose one of: {', '.join(choices)}")


def lens_config(value: dict) -> LensConfig:
    """Validate a `model.lens` mapping into a LensConfig; unknown keys and wrong types are ConfigErrors."""
    from latentgan.config import build_dataclass

    if not isinstance(value, dict):
        raise ConfigError(f"model.lens must be a mapping such as {{k: 10000, width: 32}} or null, got {value!r}")
    config = build_dataclass(LensConfig, value, "model.lens")
    config.validate()
    return config


def lens_config_dict(value: dict | None) -> dict | None:
    """The mapping with every default filled in, as a run's config.yaml records it; None stays None (no lens)."""
    return None if value is None else dataclasses.asdict(lens_config(value))


def lens_weight(step: int, config: LensConfig) -> float:
    """lambda at a step: the fixed value if set, else 1 - sin(t pi / 2K) for t <= K, then 0 (paper eq. 4)."""
    if config.fixed_lambda is not None:
        return float(config.fixed_lambda)
    return sine_decay(step, config.k)


def build_lens(channels: int, config: LensConfig) -> Lens:
    """A Xavier-initialised lens (last conv zeroed with init="identity") from a forked RNG, leaving the caller's
    RNG untouched.

    Models build their other networks first; with the RNG forked, G and D get the same initial weights,
    and training the same random draws, whether or not the config asks for a lens (the paper's protocol).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(torch.initial_seed() + 0x1E45)  # decorrelate the lens's weights from the first z
        lens = init_weights(Lens(channels, config.width, config.blocks), "xavier")
        if config.init == "identity":
            # Zeroing only the last conv keeps the residual branch trainable (its input gradients are nonzero).
            nn.init.zeros_(lens.tail.weight)
            nn.init.zeros_(lens.tail.bias)
        return lens


def attach_lens(optimizers: dict[str, torch.optim.Optimizer], value: dict | None, shape: DataShape, lr: float,
                betas: tuple[float, float]) -> tuple[LensConfig | None, Lens | None]:
    """(config, lens) for a model's `lens` setting, its Adam added to `optimizers` as "lens"; (None, None) when
    the setting is null. Images only."""
    if value is None:
        return None, None
    if not shape.is_image:
        raise ConfigError("model.lens needs image data (the lens is convolutional); set model.lens=null")
    config = lens_config(value)
    lens = build_lens(shape.sample_shape[0], config)
    optimizers["lens"] = torch.optim.Adam(lens.parameters(), config.lr or lr, betas=betas)
    return config, lens


def lens_update(optimizer: torch.optim.Optimizer, config: LensConfig, loss: str, discriminator: nn.Module,
                score: Callable[[Tensor], Tensor], x: Tensor, lensed: Tensor, iteration: int) -> dict[str, Tensor]:
    """One lens step on lambda * L_A(score(L(x))) + ||x - L(x)||^2, the discriminator frozen.

    The reconstruction is the per-pixel mean, or the per-example sum over pixels with reconstruction="sum".

    score maps lensed reals to the discriminator's real-vs-fake logits; with lambda = 0 it is not called.
    """
    weight = lens_weight(iteration, config)
    recon = mse_loss(lensed, x)
    if config.reconstruction == "sum":
        recon = recon * x[0].numel()  # per-example sum over C*H*W, mean over the batch
    adversarial = torch.zeros((), device=x.device)
    if weight > 0:
        discriminator.requires_grad_(False)
        try:
            adversarial = LENS_ADVERSARIAL[loss](score(lensed))
        finally:
            discriminator.requires_grad_(True)
    total = weight * adversarial + recon
    optimizer_step(optimizer, total)
    return {"lens_loss": total.detach(), "lens_lambda": torch.tensor(weight), "lens_recon": recon.detach(),
            "lens_adv": adversarial.detach()}
