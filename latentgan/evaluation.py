"""Evaluate a run directory and write its report: what `latentgan eval` and `latentgan report` do."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from latentgan.files import write_text_atomic
from latentgan.metrics.context import EvalContext
from latentgan.metrics.registry import METRICS, evaluate, parse_metric_names
from latentgan.train.checkpoint import list_checkpoints
from latentgan.train.run_dir import checkpoints_dir, read_run
from latentgan.train.trainer import select_device

# Inception FID costs ~20 minutes per 10k images on a 2-core CPU, so it is asked for by name.
SLOW_METRICS = ("fid",)


def resolve_metric_names(names: str) -> list[str]:
    """'default' = every metric but the slow ones, 'all' = every metric, else a comma-separated list."""
    parse_metric_names([])  # registers the built-in metrics
    if names == "all":
        return list(METRICS)
    if names == "default":
        return [m for m in METRICS if m not in SLOW_METRICS]
    return parse_metric_names(names)


def evaluate_run(run_dir: str | Path, metrics: str = "default", n: int | None = None, seed: int = 0,
                 device: str | None = None, inception_path: str | None = None, log=None,
                 averaged: bool = True) -> dict:
    """Evaluate the newest checkpoint of a run and merge the results into RUN_DIR/eval.json.

    averaged=False scores a train.ema run's live weights instead of their average, into RUN_DIR/eval_live.json.
    """
    from latentgan.api import load

    run_dir = Path(run_dir)
    names = resolve_metric_names(metrics)
    config, _ = read_run(run_dir)
    model = load(run_dir, device=select_device(device or "auto"), averaged=averaged)
    ctx = EvalContext(model, config, n=n, seed=seed, inception_path=inception_path, run_dir=run_dir)
    result = evaluate(ctx, names, log=log)
    result["evaluated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    result["seed"] = seed
    results_file = eval_file_name(averaged)
    merged = read_eval(run_dir, results_file)
    merged.setdefault("metrics", {}).update(result["metrics"])
    merged["skipped"] = {**merged.get("skipped", {}), **result["skipped"]}
    for name in result["metrics"]:
        merged["skipped"].pop(name, None)
    merged.update({k: result[k] for k in ("evaluated", "seed")})
    write_text_atomic(run_dir / results_file, json.dumps(_json_safe(merged), indent=2) + "\n")
    return result


def eval_file_name(averaged: bool = True) -> str:
    """Where evaluate_run keeps its results: eval.json, or eval_live.json for a train.ema run's live weights."""
    return "eval.json" if averaged else "eval_live.json"


def read_eval(run_dir: Path, name: str = "eval.json") -> dict:
    """The run's eval.json (or another results file), or an empty dict when there is none (or it is unreadable)."""
    try:
        return json.loads((Path(run_dir) / name).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def format_table(result: dict) -> str:
    """A plain-text table of results, then the metrics that were skipped and why."""
    rows = [(k, f"{v:.4g}" if isinstance(v, float) else str(v)) for k, v in result["metrics"].items()]
    width = max([len(k) for k, _ in rows] + [6])
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [f"(skipped {name}: {reason})" for name, reason in result["skipped"].items()]
    return "\n".join(lines)


def report_run(run_dir: str | Path, device: str | None = None, figures: bool = True) -> Path:
    """Draw the run's pictures into RUN_DIR/plots (unless figures=False), then write report.html."""
    from latentgan.viz.report import write_report

    run_dir = Path(run_dir)
    config, _ = read_run(run_dir)  # a clear error when this is not a run directory
    if figures and list_checkpoints(checkpoints_dir(run_dir)):
        from latentgan.api import load
        from latentgan.viz.run_figures import draw_run_figures

        draw_run_figures(load(run_dir, device=select_device(device or "auto")), config, run_dir)
    return write_report(run_dir)
