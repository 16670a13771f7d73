"""Metrics for generated samples and learned latent spaces; `evaluate` runs registered metrics by name."""

from latentgan.metrics.context import EvalContext
from latentgan.metrics.errors import MetricError
from latentgan.metrics.fid import evaluate_fid, fid_from_features
from latentgan.metrics.frechet import feature_statistics, frechet_distance
from latentgan.metrics.kid import kernel_inception_distance
from latentgan.metrics.latent_order import default_blocks, latent_order
from latentgan.metrics.modes import aggregate_over_seeds, mode_count_by_responsibility, mode_coverage
from latentgan.metrics.precision_recall import precision_recall
from latentgan.metrics.probe import balanced_label_subsets, knn_probe, linear_probe, probe_report
from latentgan.metrics.reconstruction import reconstruct, reconstruction_metrics
from latentgan.metrics.registry import METRICS, evaluate, register_metric
from latentgan.metrics.stacked_modes import stacked_mnist_modes

__all__ = [
    "METRICS", "EvalContext", "MetricError", "aggregate_over_seeds", "balanced_label_subsets", "default_blocks",
    "evaluate", "evaluate_fid", "feature_statistics", "fid_from_features", "frechet_distance",
    "kernel_inception_distance", "knn_probe", "latent_order", "linear_probe", "mode_count_by_responsibility",
    "mode_coverage", "precision_recall", "probe_report", "reconstruct", "reconstruction_metrics",
    "register_metric", "stacked_mnist_modes",
]
