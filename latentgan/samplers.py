"""Samplers fitted to learned latent codes: a full-covariance Gaussian or Gaussian mixture (GLO's sampling step).

Kept apart from the models (as pythae does) so any model with a table of codes can use them.
"""

from __future__ import annotations

import torch
from torch import Tensor

from latentgan import rng

_JITTER = 1e-6  # added to covariance diagonals so the Cholesky factor exists for rank-deficient codes


class GaussianMixtureSampler:
    """A mixture of full-covariance Gaussians over codes (d dims); k = 1 is the paper's single Gaussian."""

    def __init__(self, weights: Tensor, means: Tensor, covariances: Tensor):
        self.weights, self.means, self.covariances = weights, means, covariances  # (k,), (k, d), (k, d, d)
        eye = torch.eye(means.shape[1], dtype=covariances.dtype, device=covariances.device)
        self.cholesky = torch.linalg.cholesky(covariances + _JITTER * eye)

    @property
    def components(self) -> int:
        """Number of mixture components k."""
        return self.weights.shape[0]

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n codes (n, d) on the generator's device (the CPU without one); a generator moves no global RNG."""
        # All on the generator's device: torch refuses a generator of another device than the tensor it fills.
        where = rng.draw_device(generator, "cpu")
        component = rng.multinomial(self.weights.to(where, torch.float32), n, generator)
        eps = rng.randn((n, self.means.shape[1]), generator, where, self.means.dtype)
        chol, mean = self.cholesky.to(where)[component], self.means.to(where)[component]
        return mean + (chol @ eps.unsqueeze(-1)).squeeze(-1)


def fit_gaussian(codes: Tensor) -> GaussianMixtureSampler:
    """Full-covariance Gaussian fitted to codes (N, d) by maximum likelihood, in float64."""
    z = codes.detach().double().cpu()
    mean = z.mean(0)
    centred = z - mean
    cov = centred.T @ centred / max(z.shape[0], 1)
    return GaussianMixtureSampler(torch.ones(1, dtype=torch.float64), mean[None], cov[None])


def fit_gaussian_mixture(codes: Tensor, components: int, seed: int = 0) -> GaussianMixtureSampler:
    """k-component full-covariance mixture fitted with scikit-learn's EM (k-means init, fixed seed)."""
    if components == 1:
        return fit_gaussian(codes)
    from sklearn.mixture import GaussianMixture  # imported here: scikit-learn is slow to import

    gmm = GaussianMixture(components, covariance_type="full", random_state=seed, reg_covar=_JITTER)
    gmm.fit(codes.detach().double().cpu().numpy())
    return GaussianMixtureSampler(torch.from_numpy(gmm.weights_), torch.from_numpy(gmm.means_),
                                  torch.from_numpy(gmm.covariances_))


def fit_sampler(codes: Tensor, kind: str, components: int = 1, seed: int = 0) -> GaussianMixtureSampler:
    """'gaussian' (one full-covariance component) or 'gmm' (components of them)."""
    if kind == "gaussian":
        return fit_gaussian(codes)
    if kind == "gmm":
        return fit_gaussian_mixture(codes, components, seed)
    raise ValueError(f"unknown sampler '{kind}'; choose gaussian or gmm")


SAMPLERS = ("gaussian", "gmm")
