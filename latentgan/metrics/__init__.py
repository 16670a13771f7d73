"""Metrics for generated samples and learned latent spaces."""

from latentgan.metrics.modes import mode_coverage

__all__ = ["mode_coverage"]
