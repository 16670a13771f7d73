"""Latent scatter: codes coloured by class, drawn directly in 1-3 dimensions and through t-SNE above."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from latentgan.viz.save import new_figure, save_figure

METHODS = ("auto", "direct", "tsne", "pca")
TSNE_MAX_POINTS = 2000  # t-SNE is quadratic-ish in memory and ~10 s for 2,000 points on 2 CPU cores


def _as_numpy(x: Tensor | np.ndarray) -> np.ndarray:
    """Detached CPU NumPy copy of a tensor or array."""
    return x.detach().cpu().numpy() if isinstance(x, Tensor) else np.asarray(x)


def subsample(codes: np.ndarray, labels: np.ndarray | None, k: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """At most k rows of codes (N, d) and labels (N,), chosen at random with a fixed seed."""
    if len(codes) <= k:
        return codes, labels
    keep = np.sort(np.random.default_rng(seed).choice(len(codes), k, replace=False))
    return codes[keep], None if labels is None else labels[keep]


def embed_2d(codes: np.ndarray, method: str, seed: int) -> np.ndarray:
    """Project codes (N, d) to (N, 2) with t-SNE or PCA (scikit-learn, imported here to keep imports fast)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(codes)
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    perplexity = min(30.0, max(2.0, (len(codes) - 1) / 3))  # TSNE needs perplexity < n_samples
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    # One thread: t-SNE's OpenMP threads spin-wait, and on a few shared cores (training, other jobs) that made
    # 300 points take 9 s instead of 1.5 s; the result does not depend on the thread count.
    with threadpool_limits(limits=1):
        return tsne.fit_transform(codes)


def _name(c: object, class_names: list[str] | None) -> str:
    """A label's class name when the data has names, else the label itself."""
    i = int(c) if np.issubdtype(type(c), np.integer) else None
    return class_names[i] if class_names is not None and i is not None and 0 <= i < len(class_names) else str(c)


def _scatter(ax: Axes, xy: np.ndarray, labels: np.ndarray | None, size: float,
             class_names: list[str] | None = None) -> object | None:
    """Scatter xy (N, 2) coloured by label: a legend for up to 20 classes, a colour bar mappable beyond."""
    if labels is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, c="tab:blue", alpha=0.7)
        return None
    classes = np.unique(labels)
    if len(classes) > 20:
        return ax.scatter(xy[:, 0], xy[:, 1], s=size, c=labels, cmap="viridis", alpha=0.7)
    cmap = matplotlib.colormaps["tab10" if len(classes) <= 10 else "tab20"]
    for i, c in enumerate(classes):
        sel = labels == c
        ax.scatter(xy[sel, 0], xy[sel, 1], s=size, color=cmap(i), alpha=0.7, label=_name(c, class_names))
    return None


def _draw_1d(fig: Figure, codes: np.ndarray, labels: np.ndarray | None, class_names: list[str] | None = None) -> None:
    """One-dimensional codes: overlaid histograms per class."""
    ax = fig.add_subplot()
    groups = [(None, codes[:, 0])] if labels is None else [(c, codes[labels == c, 0]) for c in np.unique(labels)]
    bins = np.histogram_bin_edges(codes[:, 0], bins=40)
    for c, values in groups[:20]:
        ax.hist(values, bins=bins, histtype="step", label=None if c is None else _name(c, class_names))
    ax.set_xlabel("z1")
    if labels is not None:
        ax.legend(fontsize=7, title="label", title_fontsize=7)


def save_latent_scatter(codes: Tensor | np.ndarray, labels: Tensor | np.ndarray | None, path: str | Path,
                        method: str = "auto", title: str | None = None, seed: int = 0,
                        class_names: list[str] | None = None) -> Path:
    """Save a PNG of codes (N, d) coloured by labels (N,) (or one colour when None), named by class_names.

    "auto": d <= 3 is drawn directly (3-D as its three pairwise projections, which read better than a
    perspective view), higher d through t-SNE on at most 2,000 points with a fixed random_state.
    "direct" forces the raw coordinates (first two dimensions when d > 3), "tsne" and "pca" force a projection.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    codes = _as_numpy(codes).reshape(len(codes), -1).astype(np.float64)
    labels = None if labels is None else _as_numpy(labels).reshape(-1)
    if labels is not None and len(labels) != len(codes):
        raise ValueError(f"{len(labels)} labels for {len(codes)} codes")
    d = codes.shape[1]
    if method == "auto":
        method = "direct" if d <= 3 else "tsne"
    if method in ("tsne", "pca") and d > 2:
        codes, labels = subsample(codes, labels, TSNE_MAX_POINTS, seed)
        codes, d = embed_2d(codes, method, seed), 2
        axis_names = [f"{method} 1", f"{method} 2"]
    else:
        axis_names = [f"z{i + 1}" for i in range(d)]
    pairs = [(0, 1), (0, 2), (1, 2)] if d == 3 else [(0, 1)]
    fig = new_figure(3.6 * len(pairs) + (1.0 if labels is not None else 0.0), 3.8)
    if d == 1:
        _draw_1d(fig, codes, labels, class_names)
    else:
        mappable = None
        axes = fig.subplots(1, len(pairs), squeeze=False)[0]
        for ax, (i, j) in zip(axes, pairs, strict=True):
            mappable = _scatter(ax, codes[:, [i, j]], labels, size=4 if len(codes) <= 2000 else 1,
                                class_names=class_names)
            ax.set_xlabel(axis_names[i], fontsize=8)
            ax.set_ylabel(axis_names[j], fontsize=8)
            ax.tick_params(labelsize=7)
        if mappable is not None:
            fig.colorbar(mappable, ax=list(axes), label="label")
        elif labels is not None:
            axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, markerscale=2,
                            title="label", title_fontsize=7)
    fig.suptitle(title or f"latent codes ({len(codes)} points, {method})", fontsize=9)
    return save_figure(fig, path)
