"""Scatter plots of 2-D samples over the true mixture means."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from torch import Tensor  # noqa: E402

from latentgan.train.checkpoint import atomic_write  # noqa: E402


def save_points_plot(points: Tensor, path: str | Path, modes: Tensor | None = None,
                     title: str | None = None, real: Tensor | None = None) -> Path:
    """Save a PNG scatter of points (N, 2), with real data in grey and true means as red crosses."""
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
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
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    path = Path(path)
    atomic_write(path, lambda f: f.write(buffer.getvalue()))
    return path
