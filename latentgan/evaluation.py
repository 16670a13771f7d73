"""Evaluate a run directory and write its report: what `latentgan eval` and `latentgan report` do."""

from __future__ import annotations

import time
from pathlib import Path

from latentgan.devices import select_device
from latentgan.errors import RunDirError
from latentgan.metrics.context import EvalContext
from latentgan.metrics.registry import METRICS, evaluate, parse_metric_names
from latentgan.run import Run

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


def model_step(checkpoint: Path) -> int | None:
    """The training step in a checkpoint's name (checkpoints/step_NNNNNNN.pt), None for another name."""
    digits = checkpoint.stem.rpartition("_")[2]
    return int(digits) if digits.isdigit() else None


def evaluate_run(run_dir: str | Path, metrics: str = "default", n: int | None = None, seed: int = 0,
                 device: str | None = None, inception_path: str | None = None, log=None,
                 averaged: bool = True, checkpoint: Path | None = None) -> dict:
    """Evaluate the newest checkpoint of a run (or the one given) and merge the results into RUN_DIR/eval.json.

    averaged=False scores a train.ema run's live weights instead of their average, into RUN_DIR/eval_live.json.
    Each result's step goes into eval.json's "steps"; the checkpoint's whole result also into "by_step".
    """
    run = Run.open(run_dir)
    names = resolve_metric_names(metrics)
    if checkpoint is None:
        kept = run.checkpoints()
        checkpoint = kept[-1] if kept else None
    model = run.model(averaged=averaged, checkpoint=checkpoint, device=select_device(device or "auto"))
    ctx = EvalContext(model, run.config, n=n, seed=seed, inception_path=inception_path, run_dir=run.path)
    result = evaluate(ctx, names, log=log)
    step = model_step(checkpoint) if checkpoint else None
    result["evaluated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    result["seed"] = seed
    try:
        merged = run.eval_results(averaged)
    except RunDirError as e:  # a damaged results file is replaced, as before, but no longer silently
        if log:
            log(f"{e}; writing a fresh one")
        merged = {}
    result["step"] = step
    if step is not None:
        by_step = merged.setdefault("by_step", {}).setdefault(str(step), {})
        by_step.update(result["metrics"])
    newest_step = max([int(s) for s in merged.get("by_step", {})] + [step or 0])
    if step is not None and step < newest_step:
        run.write_eval(merged, averaged)
        return result  # an older checkpoint: its figures go to by_step only, never over a newer step's
    merged.setdefault("metrics", {}).update(result["metrics"])
    merged["skipped"] = {**merged.get("skipped", {}), **result["skipped"]}
    for name in result["metrics"]:
        merged["skipped"].pop(name, None)
    merged.update({k: result[k] for k in ("evaluated", "seed")})
    # Each result keeps the step it was measured at, so a resumed run's older figures are not taken for new ones.
    merged["steps"] = {**merged.get("steps", {}), **{name: step for name in result["metrics"]}}
    merged["checkpoint"] = checkpoint.name if checkpoint else None
    run.write_eval(merged, averaged)
    return result


# Below the Inception feature dimension the sample covariance is singular and FID is mostly bias (it falls as n
# grows: compare only FIDs at the same n); papers report n >= 10,000.
FID_MIN_SAMPLES = 2048


def sample_count_warning(metrics: str | list[str], n: int | None) -> str | None:
    """A one-line warning when --n makes a requested metric meaningless (FID below 2,048 samples), else None."""
    if n is not None and n < FID_MIN_SAMPLES and "fid" in resolve_metric_names(metrics):
        return (f"warning: FID from {n} samples is dominated by bias (its covariance needs at least "
                f"{FID_MIN_SAMPLES:,}); compare it only with FIDs at the same --n, or use --n 10000")
    return None


def evaluate_checkpoints(run_dir: str | Path, metrics: str = "default", log=None, **options) -> list[dict]:
    """Evaluate every kept checkpoint, oldest first (each into eval.json's "by_step"); one result per checkpoint."""
    kept = Run.open(run_dir).checkpoints()
    if not kept:
        raise RunDirError(f"run '{run_dir}' has no checkpoint to evaluate; train it first")
    return [evaluate_run(run_dir, metrics, log=log, checkpoint=path, **options) for path in kept]


def format_steps_table(results: list[dict]) -> str:
    """One row per checkpoint step, one column per metric."""
    names: list[str] = []
    for result in results:
        names += [n for n in result["metrics"] if n not in names]
    cells = [["step"] + names]
    for result in results:
        values = [result["metrics"].get(n) for n in names]
        cells.append([str(result["step"])] + ["-" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)
                                              for v in values])
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines[:1] + ["  ".join("-" * w for w in widths)] + lines[1:])


def format_table(result: dict) -> str:
    """A plain-text table of results, then the metrics that were skipped and why."""
    rows = [(k, f"{v:.4g}" if isinstance(v, float) else str(v)) for k, v in result["metrics"].items()]
    width = max([len(k) for k, _ in rows] + [6])
    lines = [] if result.get("step") is None else [f"(checkpoint step {result['step']})"]
    lines += [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines += [f"(skipped {name}: {reason})" for name, reason in result["skipped"].items()]
    return "\n".join(lines)


def report_run(run_dir: str | Path, device: str | None = None, figures: bool = True) -> Path:
    """Draw the run's pictures into RUN_DIR/plots (unless figures=False), then write report.html."""
    from latentgan.viz.report import write_report

    run = Run.open(run_dir)  # a clear error when this is not a run directory
    if figures and run.checkpoints():
        from latentgan.viz.run_figures import draw_run_figures

        draw_run_figures(run.model(device=select_device(device or "auto")), run.config, run.path)
    return write_report(run.path)
