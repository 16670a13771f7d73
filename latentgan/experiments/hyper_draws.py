"""Random optimiser settings for a robustness protocol (the ALI paper's grid, section 4.5: every run draws its Adam
learning rate, beta_1 and init std at random): draw i comes from its own seeded generator, so it is the same for
every model compared and the same whatever the number of draws."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from latentgan.errors import ConfigError


@dataclass(frozen=True)
class Range:
    """An interval to draw from: uniform, or uniform in log space (`log=True`, for scales such as learning rates)."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not self.low <= self.high or (self.log and self.low <= 0):
            raise ConfigError(f"bad range [{self.low}, {self.high}] (log={self.log}): low <= high, and > 0 for log")

    def draw(self, rng: np.random.Generator) -> float:
        """One value, rounded to 4 significant digits so that the card and the run's config say the same number."""
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return float(f"{value:.4g}")

    def describe(self) -> str:
        """'log-uniform on [1e-05, 0.001]'."""
        return f"{'log-uniform' if self.log else 'uniform'} on [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class HyperDraw:
    """One draw: the learning rate of both players, Adam's beta_1, the init std, and the run seed it pairs with."""

    index: int
    lr: float
    beta1: float
    init_std: float

    def overrides(self) -> tuple[str, ...]:
        """Config overrides that train a model with this draw (the same for ALI and the GAN); the Gaussian init."""
        return (f"model.lr_g={self.lr:.4e}", f"model.lr_d={self.lr:.4e}", f"model.betas=[{self.beta1:.4e}, 0.999]",
                "model.init=normal", f"model.init_std={self.init_std:.4e}", f"train.seed={self.index}")

    def describe(self) -> str:
        """'lr 0.0001234, beta_1 0.4321, init std 0.01234'."""
        return f"lr {self.lr:.4g}, beta_1 {self.beta1:.4g}, init std {self.init_std:.4g}"


@dataclass(frozen=True)
class HyperRanges:
    """Where each setting is drawn from, and the seed that makes draw i reproducible: default_rng([seed, i])."""

    lr: Range
    beta1: Range
    init_std: Range
    seed: int

    def draw(self, index: int) -> HyperDraw:
        """Draw `index`, from its own generator: independent of how many draws are made, and of the model."""
        rng = np.random.default_rng([self.seed, index])
        return HyperDraw(index, self.lr.draw(rng), self.beta1.draw(rng), self.init_std.draw(rng))

    def draws(self, n: int) -> list[HyperDraw]:
        """Draws 0 .. n-1."""
        return [self.draw(i) for i in range(n)]

    def describe(self) -> str:
        """The ranges and the generator, as one sentence for the card."""
        return (f"learning rate (both players) {self.lr.describe()}, Adam beta_1 {self.beta1.describe()} (beta_2 "
                f"0.999), init std {self.init_std.describe()} (every weight N(0, std^2), biases 0); draw i from "
                f"numpy.random.default_rng([{self.seed}, i]) and trained with train.seed=i")
