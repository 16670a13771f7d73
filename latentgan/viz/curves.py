"""Metric curves: one small panel per numeric key of metrics.jsonl records, over the step."""

from __future__ import annotations

import math
from pathlib import Path

from latentgan.viz.save import new_figure, save_figure


def _number(value: object) -> float | None:
    """A finite float, or None for null, strings ("nan", "inf" as MetricsLog writes them), bools, non-finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def numeric_keys(records: list[dict], min_points: int = 1) -> list[str]:
    """Keys other than "step" with at least min_points finite numbers, in order of first appearance."""
    counts: dict[str, int] = {}
    for record in records:
        for key, value in record.items():
            if key != "step" and _number(value) is not None:
                counts[key] = counts.get(key, 0) + 1
    return [key for key, count in counts.items() if count >= min_points]


def series(records: list[dict], key: str) -> tuple[list[float], list[float]]:
    """(steps, values) of one key where it is a finite number; a record without "step" uses its index."""
    pairs = []
    for i, record in enumerate(records):
        value, step = _number(record.get(key)), _number(record.get("step", i))
        if value is not None and step is not None:
            pairs.append((step, value))
    pairs.sort(key=lambda p: p[0])  # a file appended to out of order still draws left to right
    return [p[0] for p in pairs], [p[1] for p in pairs]


SKIPPED = ("wall_sec",)  # cumulative training time: a straight line that says nothing the step axis does not


def _panels(records: list[dict], keys: list[str]) -> list[tuple[str, list[str]]]:
    """(title, keys) per panel: every loss overlaid in one panel (they are read against each other), then one panel
    per other key."""
    losses = [k for k in keys if "loss" in k]
    others = [(k, [k]) for k in keys if k not in losses]
    if len(losses) > 1:
        return [("losses", losses), *others]
    return [(k, [k]) for k in losses] + others


def save_metric_curves(records: list[dict], path: str | Path, keys: list[str] | None = None, ncols: int = 3) -> Path:
    """Save a PNG of metrics over "step": the losses overlaid in one panel, then one panel per other key.

    By default every key with at least two finite values that change (a value logged once, such as a parameter
    count, or one that never moves is not a curve); keys given explicitly are plotted when they have any.
    """
    if keys is None:
        keys = [k for k in numeric_keys(records, min_points=2)
                if k not in SKIPPED and len(set(series(records, k)[1])) > 1]
    else:
        keys = [k for k in keys if series(records, k)[0]]
    if not keys:
        raise ValueError("no numeric metrics to plot in these records")
    panels = _panels(records, keys)
    ncols = min(ncols, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig = new_figure(3.4 * ncols, 2.4 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).reshape(-1)
    for ax, (title, panel_keys) in zip(axes, panels, strict=False):
        for key in panel_keys:
            steps, values = series(records, key)
            ax.plot(steps, values, marker="o" if len(steps) <= 30 else None, markersize=3, linewidth=1.2, label=key)
        if len(panel_keys) > 1:
            ax.legend(fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    return save_figure(fig, path)
