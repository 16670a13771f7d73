"""FID with KID and precision/recall from the same features, for any sampler against a dataset."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from latentgan.data.base import Dataset
from latentgan.metrics.errors import MetricError
from latentgan.metrics.features import FeatureExtractor
from latentgan.metrics.frechet import ArrayLike, feature_statistics, frechet_distance
from latentgan.metrics.kid import kernel_inception_distance
from latentgan.metrics.precision_recall import precision_recall
from latentgan.metrics.real_stats import format_count, real_statistics
from latentgan.progress import task

RANGE_TOLERANCE = 1e-3  # float round-off beyond [0, 1] is clamped; more means the sampler's range is wrong


def fid_from_features(real: ArrayLike, fake: ArrayLike) -> float:
    """FID between two feature sets (N, D) and (M, D)."""
    return frechet_distance(*feature_statistics(real), *feature_statistics(fake))


def metric_suffix(extractor_name: str, n: int, n_real: int) -> str:
    """'inception@10k', or 'classifier-mnist5k@10k_vs_4k' when the real count differs from the generated."""
    count = format_count(n) if n == n_real else f"{format_count(n)}_vs_{format_count(n_real)}"
    return f"{extractor_name}@{count}"


def _checked_batch(images: Tensor, expected: tuple[int, ...], size: int) -> Tensor:
    """A sampler's batch, checked to be (size, C, H, W) like the data and in [0, 1], then clamped."""
    if images.dim() != 4 or tuple(images.shape[1:]) != expected or images.shape[0] != size:
        raise MetricError(f"sample_fn({size}) returned shape {tuple(images.shape)}; the real data is "
                          f"(N, {', '.join(map(str, expected))}): generate at the data's resolution and channels")
    low, high = float(images.min()), float(images.max())
    if low < -RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise MetricError(f"sample_fn must return images in [0, 1], got values in [{low:.3g}, {high:.3g}]; "
                          "map them with latentgan.data.base.to_unit_range")
    return images.clamp(0.0, 1.0)


@torch.no_grad()
def generated_features(sample_fn: Callable[[int], Tensor], n: int, extractor: FeatureExtractor,
                       shape: tuple[int, ...], batch_size: int = 250) -> Tensor:
    """Features (n, D) of n samples drawn batch by batch (no more than batch_size images in memory)."""
    chunks, done = [], 0
    with task(f"features of {n:,} samples ({extractor.name})", total=n, unit="img") as bar:
        while done < n:
            size = min(batch_size, n - done)
            chunks.append(extractor(_checked_batch(sample_fn(size), shape, size)).float().cpu())
            done += size
            bar.update(size)
    return torch.cat(chunks)


def evaluate_fid(sample_fn: Callable[[int], Tensor], data: Dataset, extractor: FeatureExtractor, n: int,
                 batch_size: int = 250, n_real: int | None = None, split_key: str | None = None,
                 kid: bool = True, pr: bool = True, seed: int = 0) -> dict[str, float]:
    """FID (and KID mean/std, precision/recall) of n samples against n_real (default n) real images.

    sample_fn(k) -> (k, C, H, W) in [0, 1] at the data's shape. Keys carry extractor and counts:
    fid_<extractor>@<n>, kid_..., kid_std_..., precision_..., recall_... (e.g. fid_inception@10k).
    KID and precision/recall need the real features, kept for n_real <= 10,000.
    """
    n_real = n if n_real is None else n_real
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise MetricError(f"FID needs at least 2 generated samples, got n={n!r}")
    split_key = split_key or str(data.info.get("split", "train"))
    # Samples first: a shape mistake then fails before the (possibly long, once-only) real-data pass.
    fake = generated_features(sample_fn, n, extractor, data.sample_shape, batch_size)
    real = real_statistics(extractor, data, n_real, split_key, seed=seed, batch_size=batch_size)
    suffix = metric_suffix(extractor.name, n, n_real)
    results = {f"fid_{suffix}": frechet_distance(real["mu"], real["sigma"], *feature_statistics(fake))}
    real_features = real.get("features")
    if kid and real_features is not None:
        mean, std = kernel_inception_distance(real_features, fake, seed=seed)
        results.update({f"kid_{suffix}": mean, f"kid_std_{suffix}": std})
    if pr and real_features is not None:
        scores = precision_recall(real_features, fake)
        results.update({f"precision_{suffix}": scores["precision"], f"recall_{suffix}": scores["recall"]})
    return results
