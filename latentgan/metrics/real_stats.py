"""Real-data feature statistics, computed once per extractor, dataset, split, resolution and count, cached on disk."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import torch
from torch import Tensor

from latentgan.cache import cache_dir
from latentgan.data.base import Dataset
from latentgan.files import atomic_write
from latentgan.metrics.errors import MetricError
from latentgan.metrics.features import FeatureExtractor
from latentgan.metrics.frechet import feature_statistics
from latentgan.progress import task

FORMAT = "latentgan-real-stats"
VERSION = 1
KEEP_FEATURES_UP_TO = 10_000  # KID and precision/recall need the raw features; beyond this only mu, sigma


def format_count(n: int) -> str:
    """10000 -> '10k', 500 -> '500': the sample count as metric names and cache files show it."""
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def stats_path(extractor_name: str, data: Dataset, n: int, split_key: str, seed: int = 0) -> Path:
    """cache_dir('stats')/<extractor>_<dataset>_<split>_<H>x<W>_n<count>_<hash>.pt.

    The short hash covers what else changes the images (the dataset's options, padding, resizing, limit,
    source file, size) and the subset seed, so differently prepared data never share a file.
    """
    height, width = data.sample_shape[1:]
    described = json.dumps({"info": data.info, "shape": list(data.x.shape), "seed": seed}, sort_keys=True,
                           default=str)
    digest = hashlib.sha256(described.encode()).hexdigest()[:8]
    name = f"{extractor_name}_{data.name}_{split_key}_{height}x{width}_n{format_count(n)}_{digest}.pt"
    return cache_dir("stats", name)


def subset_indices(size: int, n: int, seed: int) -> Tensor:
    """The first n of a seeded permutation of range(size)."""
    return torch.randperm(size, generator=torch.Generator().manual_seed(seed))[:n]


@torch.no_grad()
def extract_features(extractor: FeatureExtractor, data: Dataset, index: Tensor, batch_size: int = 250) -> Tensor:
    """Features (len(index), D) of the dataset's images at index, fed to the extractor in [0, 1]."""
    chunks = []
    with task(f"features of {index.numel():,} real images of {data.name} ({extractor.name}; cached after)",
              total=index.numel(), unit="img") as bar:
        for start in range(0, index.numel(), batch_size):
            rows = index[start:start + batch_size].to(data.x.device)
            chunks.append(extractor(data.x[rows].float() / 255.0).float().cpu())
            bar.update(rows.numel())
    return torch.cat(chunks)


def _read(path: Path) -> dict | None:
    """A cached statistics file, or None when missing or unreadable (it is then computed again)."""
    try:
        stored = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("version") != VERSION:
        return None
    return stored


def _as_result(stored: dict) -> dict:
    result = {"mu": stored["mu"].numpy(), "sigma": stored["sigma"].numpy(), "n": int(stored["n"])}
    if stored.get("features") is not None:
        result["features"] = stored["features"]
    return result


def real_statistics(extractor: FeatureExtractor, data: Dataset, n: int, split_key: str, seed: int = 0,
                    batch_size: int = 250, cache: bool = True) -> dict:
    """{"mu": (D,) float64, "sigma": (D, D) float64, "n": n, "features": (n, D) float32 when n <= 10,000}.

    Uses the first n examples of a permutation seeded by `seed`; read from cache_dir("stats") when
    there, else computed and written atomically.
    """
    if not data.is_image:
        raise MetricError(f"feature statistics need image data; {data.name!r} holds points")
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= len(data):
        raise MetricError(f"n={n!r} real examples asked of {data.name} ({split_key}), which has {len(data)}; "
                          f"use 2 <= n <= {len(data)}")
    path = stats_path(extractor.name, data, n, split_key, seed)
    stored = _read(path) if cache else None
    if stored is None:
        features = extract_features(extractor, data, subset_indices(len(data), n, seed), batch_size)
        mu, sigma = feature_statistics(features)
        stored = {"format": FORMAT, "version": VERSION, "extractor": extractor.name, "dataset": data.name,
                  "split": split_key, "n": n, "mu": torch.from_numpy(mu), "sigma": torch.from_numpy(sigma),
                  "features": features if n <= KEEP_FEATURES_UP_TO else None}
        if cache:
            atomic_write(path, lambda f: torch.save(stored, f))
    return _as_result(stored)
