"""Errors a user can cause while evaluating: missing weights, wrong sample shapes, too few examples."""

from latentgan.errors import LatentganError


class MetricError(LatentganError, ValueError):
    """A metric cannot be computed as asked; the message names the problem and the fix."""
