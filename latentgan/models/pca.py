"""PCA as a linear autoencoder (Baldi and Hornik): the top d principal components, fitted once in `initialize`.

The GLO paper's first baseline. A registered model so it trains (zero steps needed), loads and evaluates like
any other; `training_step` does nothing. Samples are decoded from a Gaussian with the components' variances.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from latentgan import rng
from latentgan.errors import ConfigError
from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.registry import register_model


@dataclass
class PCAConfig:
    """Number of components d (called latent_dim so every metric and experiment reads it the same way)."""

    name: str = "pca"
    latent_dim: int = 32

    def validate(self) -> None:
        """Refuse values the model cannot use."""
        if self.latent_dim < 1:
            raise ConfigError("model.latent_dim must be at least 1")


def fit_pca(flat: Tensor, dim: int) -> tuple[Tensor, Tensor, Tensor]:
    """Mean (D,), top components (dim, D) and their variances (dim,) of flat (N, D); zero-padded past rank."""
    flat = flat.double()
    mean = flat.mean(0)
    centred = flat - mean
    # The exact eigendecomposition of the (D, D) covariance: deterministic and cheap for small images.
    eigvals, eigvecs = torch.linalg.eigh(centred.T @ centred / flat.shape[0])
    order = eigvals.argsort(descending=True)[:min(dim, *flat.shape)]
    components = torch.zeros(dim, flat.shape[1], dtype=torch.float64)
    variances = torch.zeros(dim, dtype=torch.float64)
    components[:len(order)], variances[:len(order)] = eigvecs[:, order].T, eigvals[order].clamp_min(0)
    return mean.float(), components.float(), variances.float()


@register_model("pca", PCAConfig, "PCA as a linear autoencoder (top latent_dim components), fitted before training")
class PCAModel(GenerativeModel):
    """encode(x) = W (x - mean), decode(z) = W^T z + mean, with W the top principal directions (d, D)."""

    def __init__(self, config: PCAConfig, data_shape: DataShape):
        super().__init__(config, data_shape)
        dim = int(torch.Size(data_shape.sample_shape).numel())
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("components", torch.zeros(config.latent_dim, dim))
        self.register_buffer("variances", torch.zeros(config.latent_dim))

    @property
    def device(self) -> torch.device:
        """PCA has buffers only."""
        return self.mean.device

    def initialize(self, data) -> None:
        """Fit the components on the whole training set."""
        mean, components, variances = fit_pca(data.scale(data.x).flatten(1).cpu(), self.config.latent_dim)
        self.mean.copy_(mean)
        self.components.copy_(components)
        self.variances.copy_(variances)

    def training_step(self, batch, step: int) -> dict[str, Tensor]:
        """Nothing to learn by gradient: the fit happened in initialize."""
        return {}

    def _encode(self, x: Tensor) -> Tensor:
        """x: (N, ...) -> principal scores (N, d)."""
        return (x.flatten(1) - self.mean) @ self.components.T

    def _decode(self, z: Tensor) -> Tensor:
        """Scores z: (N, d) -> data (N, ...), not clipped to the data range."""
        return (z @ self.components + self.mean).view(z.shape[0], *self.data_shape.sample_shape)

    def _reconstruct(self, x: Tensor) -> Tensor:
        """Projection onto the top d components: (N, ...) -> (N, ...), not clipped."""
        return self._decode(self._encode(x))

    def random_codes(self, n: int, generator: torch.Generator | None = None,
                     device: torch.device | str | None = None) -> Tensor:
        """Scores (n, d) from N(0, diag(variances)), drawn on the CPU generator and moved to device."""
        codes = torch.randn(n, self.config.latent_dim, generator=generator) * self.variances.cpu().sqrt()
        return codes.to(self.device if device is None else device)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Decode scores drawn from N(0, diag(variances)), clipped to the data range."""
        z = rng.randn((n, self.config.latent_dim), generator, self.device) * self.variances.sqrt()
        return self._decode(z).clamp(*self.data_shape.value_range)
