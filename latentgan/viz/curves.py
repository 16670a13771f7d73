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


def save_metric_curves(records: list[dict], path: str | Path, keys: list[str] | None = None, ncols: int = 3) -> Path:
    """Save a PNG with one panel per numeric key plotted over "step".

    By default every key with at least two finite values (a value logged once, such as a parameter count,
    is not a curve); keys given explicitly are plotted when they have any.
    """
    keys = numeric_keys(records, min_points=2) if keys is None else [k for k in keys if series(records, k)[0]]
    if not keys:
        raise ValueError("no numeric metrics to plot in these records")
    ncols = min(ncols, len(keys))
    nrows = math.ceil(len(keys) / ncols)
    fig = new_figure(3.4 * ncols, 2.4 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).reshape(-1)
    for ax, key in zip(axes, keys, strict=False):
        steps, values = series(records, key)
        ax.plot(steps, values, marker="o" if len(steps) <= 30 else None, markersize=3, linewidth=1.2)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    return save_figure(fig, path)
