"""Scatter plots of 2-D samples over the true mixture means, plain or coloured by their nearest mode."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import Tensor

from latentgan.viz.save import new_figure, save_figure

HIGH_QUALITY_STD = 3.0  # VEEGAN / PacGAN: a sample within 3 std of its nearest mean is high quality


def save_points_plot(points: Tensor, path: str | Path, modes: Tensor | None = None,
                     title: str | None = None, real: Tensor | None = None) -> Path:
    """Save a PNG scatter of points (N, 2), with real data in grey and true means as red crosses."""
    fig = new_figure(4, 4)
    ax = fig.add_subplot()
    if real is not None:
        r = real.detach().cpu()
        ax.scatter(r[:, 0], r[:, 1], s=2, c="0.75", alpha=0.5, label="data")
    p = points.detach().float().cpu()
    ax.scatter(p[:, 0], p[:, 1], s=2, c="tab:blue", alpha=0.6, label="samples")
    if modes is not None:
        m = modes.cpu()
        ax.scatter(m[:, 0], m[:, 1], s=40, c="red", marker="x", label="true means")
    ax.set_aspect("equal", adjustable="datalim")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(loc="upper right", fontsize=7)
    return save_figure(fig, path)


def nearest_mode(samples: Tensor, means: Tensor, std: float | None,
                 threshold: float = HIGH_QUALITY_STD) -> tuple[Tensor, Tensor]:
    """Index of the nearest mean for each sample (N,) and whether it is within threshold * std (N,) bool."""
    dist = torch.cdist(samples.detach().float().cpu(), means.detach().float().cpu())
    nearest_dist, nearest = dist.min(dim=1)
    if std is None:
        return nearest, torch.ones_like(nearest, dtype=torch.bool)
    return nearest, nearest_dist <= threshold * std


def mode_colours(k: int) -> np.ndarray:
    """k distinct RGBA colours: tab10 / tab20 while they last, evenly spaced hues beyond."""
    if k <= 10:
        return matplotlib.colormaps["tab10"](np.arange(k))
    if k <= 20:
        return matplotlib.colormaps["tab20"](np.arange(k))
    return matplotlib.colormaps["hsv"](np.arange(k) / k)


def draw_by_mode(ax: Axes, samples: Tensor, means: Tensor, std: float | None, real: Tensor | None,
                  size: float) -> tuple[int, float]:
    """Draw real data, samples coloured by nearest mode (grey when low quality) and means on ax.

    Returns (modes with a high-quality sample, fraction of high-quality samples).
    """
    if real is not None:
        r = real.detach().float().cpu()
        ax.scatter(r[:, 0], r[:, 1], s=size, c="0.85", label="data", rasterized=True)
    p = samples.detach().float().cpu()
    nearest, good = nearest_mode(p, means, std)
    colours = mode_colours(means.shape[0])
    ax.scatter(p[~good, 0], p[~good, 1], s=size, c="0.45", alpha=0.7, label="low quality")
    ax.scatter(p[good, 0], p[good, 1], s=size, c=colours[nearest[good].numpy()], alpha=0.8, label="by nearest mode")
    m = means.detach().cpu()
    ax.scatter(m[:, 0], m[:, 1], s=25, c="black", marker="+", linewidths=0.8, alpha=0.8, label="true means")
    return int(nearest[good].unique().numel()), float(good.float().mean()) if len(good) else 0.0


def save_points_by_mode(samples: Tensor, means: Tensor, std: float, path: str | Path, real: Tensor | None = None,
                        title: str | None = None) -> Path:
    """Save a PNG of generated points (N, 2) coloured by their nearest true mean (K, 2).

    Points farther than 3 std from every mean are grey (low quality); real data (M, 2) is drawn underneath.
    """
    fig = new_figure(4.5, 4.5)
    ax = fig.add_subplot()
    captured, hq = draw_by_mode(ax, samples, means, std, real, size=3)
    ax.set_aspect("equal", adjustable="datalim")
    stats = f"{captured}/{means.shape[0]} modes, {100 * hq:.1f}% high quality"
    ax.set_title(f"{title}\n{stats}" if title else stats, fontsize=9)
    ax.legend(loc="upper right", fontsize=7, markerscale=2)
    return save_figure(fig, path)


def pick_evenly(items: list, k: int) -> list:
    """At most k items, evenly spaced, first and last kept."""
    if len(items) <= k:
        return items
    return [items[i] for i in np.linspace(0, len(items) - 1, k).round().astype(int)]


def save_points_over_steps(snapshots: list[tuple[int, Tensor]], means: Tensor, path: str | Path,
                           std: float | None = None, real: Tensor | None = None, max_panels: int = 8) -> Path:
    """Save a row of small panels, one per (step, samples (N, 2)) snapshot, coloured by nearest mode.

    With std given, points beyond 3 std are grey; all panels share the same axes so they compare directly.
    More than max_panels snapshots are thinned evenly (first and last kept).
    """
    if not snapshots:
        raise ValueError("no snapshots to plot; pass a list of (step, samples) pairs")
    snapshots = pick_evenly(sorted(snapshots, key=lambda s: s[0]), max_panels)
    fig = new_figure(2.2 * len(snapshots), 2.5)
    axes = fig.subplots(1, len(snapshots), sharex=True, sharey=True, squeeze=False)[0]
    m = means.detach().float().cpu()
    # fixed limits from the true means, not the samples, so every panel shows the same window
    centre, half = (m.max(0).values + m.min(0).values) / 2, float((m.max(0).values - m.min(0).values).max()) / 2
    half = 1.3 * half + (3 * std if std else 0.5)
    for ax, (step, samples) in zip(axes, snapshots, strict=True):
        captured, hq = draw_by_mode(ax, samples, means, std, real, size=1)
        ax.set_xlim(float(centre[0]) - half, float(centre[0]) + half)
        ax.set_ylim(float(centre[1]) - half, float(centre[1]) + half)
        ax.set_aspect("equal", adjustable="box")
        ax.set_title(f"step {step}\n{captured}/{means.shape[0]} modes" + (f", {100 * hq:.0f}% HQ" if std else ""),
                     fontsize=8)
        ax.tick_params(labelsize=6)
    return save_figure(fig, path)
