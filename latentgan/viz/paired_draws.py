"""Two models trained on the same random settings: one score per model per draw against a drawn setting (e.g. modes
covered against the learning rate), each draw's pair joined by a line."""

from __future__ import annotations

from pathlib import Path

from latentgan.viz.save import new_figure, save_figure

_MARKERS = ("o", "s", "^", "D")


def save_paired_draws(x: list[float], scores: dict[str, list[float]], path: Path, *, xlabel: str, ylabel: str,
                      title: str, log_x: bool = False) -> Path:
    """Scatter scores[model][i] at x[i] for every model (at most four), a grey line joining draw i's scores."""
    if len(scores) > len(_MARKERS) or any(len(v) != len(x) for v in scores.values()):
        raise ValueError(f"need at most {len(_MARKERS)} models with one score per x, got "
                         f"{ {k: len(v) for k, v in scores.items()} } for {len(x)} x")
    fig = new_figure(5.0, 3.6)
    ax = fig.add_subplot()
    for i, xi in enumerate(x):
        ax.plot([xi] * len(scores), [v[i] for v in scores.values()], color="0.8", zorder=1)
    for marker, (name, values) in zip(_MARKERS, scores.items(), strict=False):
        ax.scatter(x, values, marker=marker, label=name, zorder=2, alpha=0.8)
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    return save_figure(fig, path)
