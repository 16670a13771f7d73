"""The ALI paper's Figure 8: for each model on a 2-D mixture, one column of five panels -- held-out data, their
codes, their reconstructions (all coloured by mixture component), prior draws, and the samples decoded from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from torch import Tensor

from latentgan.viz.points import draw_by_mode, mode_colours
from latentgan.viz.save import new_figure, save_figure

ROWS = ("held-out data x", "codes z = E(x)", "reconstructions G(E(x))", "prior draws z", "samples G(z)")


@dataclass
class InferencePanels:
    """One model's column: held-out points (N, 2) with components (N,), their codes and reconstructions; prior
    draws (M, latent) and the samples (M, 2) decoded from them."""

    x: Tensor
    components: Tensor
    codes: Tensor
    reconstructions: Tensor
    prior: Tensor
    samples: Tensor


def _scatter_by_component(ax, points: Tensor, components: Tensor, size: float) -> None:
    p, c = points.detach().float().cpu(), components.detach().cpu().long()
    colours = mode_colours(int(c.max()) + 1)
    ax.scatter(p[:, 0], p[:, 1], s=size, c=colours[c.numpy()], alpha=0.8, rasterized=True)


def save_inference_comparison(columns: dict[str, InferencePanels], means: Tensor, std: float,
                              path: str | Path) -> Path:
    """Save Figure 8: one column per model (name -> panels), the five rows of ROWS; 2-D codes are drawn directly,
    wider codes by their first two coordinates."""
    fig = new_figure(2.4 * len(columns), 2.3 * len(ROWS))
    axes = fig.subplots(len(ROWS), len(columns), squeeze=False)
    for j, (name, panels) in enumerate(columns.items()):
        _scatter_by_component(axes[0, j], panels.x, panels.components, 2)
        _scatter_by_component(axes[1, j], panels.codes[:, :2], panels.components, 2)
        _scatter_by_component(axes[2, j], panels.reconstructions, panels.components, 2)
        prior = panels.prior.detach().float().cpu()
        axes[3, j].scatter(prior[:, 0], prior[:, 1], s=2, c="0.3", alpha=0.6, rasterized=True)
        captured, hq = draw_by_mode(axes[4, j], panels.samples, means, std, None, size=2)
        axes[4, j].set_xlabel(f"{captured}/{means.shape[0]} modes, {100 * hq:.0f}% HQ", fontsize=8)
        axes[0, j].set_title(name, fontsize=9)
        for i in range(len(ROWS)):
            axes[i, j].set_aspect("equal", adjustable="datalim")
            axes[i, j].tick_params(labelsize=6)
    for i, label in enumerate(ROWS):
        axes[i, 0].set_ylabel(label, fontsize=8)
    return save_figure(fig, path)
