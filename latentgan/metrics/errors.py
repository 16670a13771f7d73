"""Errors a user can cause while evaluating: missing weights, wrong sample shapes, too few examples."""

from latentgan.errors import MetricError

__all__ = ["MetricError"]
