"""The metric registry: each metric registers itself with one decorator; `evaluate` runs a list of them."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from latentgan.metrics.context import EvalContext
from latentgan.metrics.errors import MetricError


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric: its function, default sample count and when it applies."""

    name: str
    description: str
    compute: Callable[[EvalContext], dict]
    applies: Callable[[EvalContext], str | None]  # None when it applies, else the reason it does not
    default_n: int | None = None


METRICS: dict[str, MetricSpec] = {}


def always(ctx: EvalContext) -> str | None:
    """Applicability check for metrics that work on every run."""
    return None


def register_metric(name: str, description: str, default_n: int | None = None,
                    applies: Callable[[EvalContext], str | None] = always):
    """Decorator: register fn(ctx) -> {result name: value} under `name`."""
    def wrap(fn: Callable[[EvalContext], dict]) -> Callable[[EvalContext], dict]:
        METRICS[name] = MetricSpec(name, description, fn, applies, default_n)
        return fn
    return wrap


def parse_metric_names(names: str | list[str]) -> list[str]:
    """'fid,modes' or ['fid', 'modes'] -> checked list; unknown names are a MetricError."""
    importlib.import_module("latentgan.metrics.builtin")  # registers the built-in metrics (by name: it imports us)

    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise MetricError(f"unknown metric(s) {', '.join(unknown)}; choose from: {', '.join(METRICS)}")
    return list(names)


def evaluate(ctx: EvalContext, names: str | list[str], log=None) -> dict:
    """Run the named metrics; ones that do not apply to this run are reported under 'skipped'."""
    results, skipped, seconds = {}, {}, {}
    for name in parse_metric_names(names):
        spec = METRICS[name]
        reason = spec.applies(ctx)
        if reason:
            skipped[name] = reason
            if log:
                log(f"skipping {name}: {reason}")
            continue
        start = time.time()
        results.update(spec.compute(ctx))
        seconds[name] = round(time.time() - start, 2)
    return {"metrics": results, "skipped": skipped, "seconds": seconds}
