"""Class-balanced subsets of labelled examples (the labelled share of a semi-supervised probe or model)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from torch import Tensor

from latentgan.errors import MetricError


def balanced_label_subsets(labels: ArrayLike, n_labels: int, repeats: int, seed: int) -> list[np.ndarray]:
    """`repeats` index arrays into labels (N,), each with n_labels // n_classes examples of every class."""
    labels = labels.detach().cpu().numpy().reshape(-1) if isinstance(labels, Tensor) else np.asarray(labels).reshape(-1)
    classes = np.unique(labels)
    per_class = n_labels // len(classes)
    if per_class < 1:
        raise MetricError(f"n_labels={n_labels} is fewer than the {len(classes)} classes; use at least one per class")
    members = [np.flatnonzero(labels == c) for c in classes]
    short = [(int(c), len(m)) for c, m in zip(classes, members, strict=True) if len(m) < per_class]
    if short:
        raise MetricError(f"{per_class} labels per class asked, but classes (class, count) {short} have fewer")
    rng = np.random.default_rng(seed)
    return [np.concatenate([rng.choice(m, per_class, replace=False) for m in members]) for _ in range(repeats)]
