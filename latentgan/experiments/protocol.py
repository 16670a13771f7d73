"""The reproduction protocol every experiment follows: budget tiers, a decision rule fixed before the runs, and the
verdict computed from per-seed results with an interval over seeds.

Tiers: `smoke` (seconds; what the test suite runs: it checks the pipeline, never a claim), `cpu` (decides the claim
on a 2-core CPU: scaled-down settings, listed on the card), `paper` (the paper's protocol in optimizer steps and
network sizes, for a GPU).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal, TypeVar

from latentgan.errors import ConfigError

Tier = Literal["smoke", "cpu", "paper"]
TIERS: tuple[Tier, ...] = ("smoke", "cpu", "paper")
Verdict = Literal["reproduced", "not reproduced", "inconclusive"]
B = TypeVar("B")
R = TypeVar("R")


def check_tier(tier: str) -> Tier:
    """The tier itself, or a ConfigError listing the valid ones."""
    if tier not in TIERS:
        raise ConfigError(f"unknown budget '{tier}'; choose one of {', '.join(TIERS)}")
    return tier  # type: ignore[return-value]


def pick_budget(budgets: dict[str, B], tier: str) -> B:
    """The experiment's budget for a tier (every experiment defines all three)."""
    return budgets[check_tier(tier)]


@dataclass(frozen=True)
class DecisionRule:
    """What decides a claim, written before any run: a per-seed statistic compared with a threshold.

    `better` says which side of the threshold supports the paper: "below" (e.g. an FID ratio <= 0.75) or "above"
    (e.g. modes covered by ALI minus the GAN's > 0). `aggregate="mean"` decides on a t interval of the mean over
    seeds; `aggregate="every"` asks every seed to be on the paper's side (for "in every seed" claims).
    """

    label: str  # the statistic in words, e.g. "GLO / PCA training MSE"
    threshold: float
    better: Literal["below", "above"]
    seeds: int = 3
    aggregate: Literal["mean", "every"] = "mean"
    confidence: float = 0.95
    source: str = ""  # where the threshold comes from: the paper's number, or the stand-in and why

    def __post_init__(self) -> None:
        if self.seeds < 1:
            raise ConfigError(f"a decision rule needs at least one seed, got {self.seeds}")
        if self.better not in ("below", "above") or self.aggregate not in ("mean", "every"):
            raise ConfigError(f"bad decision rule for '{self.label}': better={self.better}, "
                              f"aggregate={self.aggregate}")

    def supports(self, value: float) -> bool:
        """Whether one value lies on the paper's side of the threshold."""
        return value <= self.threshold if self.better == "below" else value >= self.threshold

    def describe(self) -> str:
        """The rule as one sentence for the card."""
        side = "<=" if self.better == "below" else ">="
        how = ("in every seed" if self.aggregate == "every" else
               f"the {self.confidence:.0%} t interval of the mean over seeds entirely {side} the threshold")
        return (f"{self.label} {side} {self.threshold:g}, {how}; {self.seeds} seeds"
                + (f" ({self.source})" if self.source else "") + ".")


@dataclass(frozen=True)
class Decision:
    """A rule applied to per-seed values: the mean, its interval, and the verdict."""

    rule: DecisionRule
    values: tuple[float, ...]
    mean: float
    low: float
    high: float
    verdict: Verdict
    seeds_to_decide: int | None = None  # for an inconclusive mean: about how many seeds would decide

    def summary(self) -> str:
        """'0.57 [0.52, 0.61] over 3 seeds (<= 0.6): reproduced' and, when inconclusive, the seeds that would decide."""
        side = "<=" if self.rule.better == "below" else ">="
        text = (f"{self.rule.label}: {_fmt(self.mean)} [{_fmt(self.low)}, {_fmt(self.high)}] over {len(self.values)} "
                f"seeds (the claim holds {side} {self.rule.threshold:g}): {self.verdict}")
        if self.verdict == "inconclusive":
            text += (f"; about {self.seeds_to_decide} seeds would decide" if self.seeds_to_decide else
                     "; the mean sits on the threshold, so more seeds would not decide it")
        return text

    def as_dict(self) -> dict:
        """JSON-friendly form for card.json and the scoreboard."""
        return {"label": self.rule.label, "threshold": self.rule.threshold, "better": self.rule.better,
                "aggregate": self.rule.aggregate, "values": list(self.values), "mean": self.mean, "low": self.low,
                "high": self.high, "verdict": self.verdict, "seeds_to_decide": self.seeds_to_decide}


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the Student t interval of the mean; infinite for a single value."""
    from scipy import stats

    n = len(values)
    mean = statistics.fmean(values)
    if n < 2:
        return mean, -math.inf, math.inf
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean, mean - half, mean + half


def seeds_needed(values: Sequence[float], threshold: float, confidence: float = 0.95, limit: int = 1000) -> int | None:
    """About how many seeds, at this spread, put the interval on one side of the threshold (None if over `limit`)."""
    from scipy import stats

    if len(values) < 2:
        return None
    gap, spread = abs(statistics.fmean(values) - threshold), statistics.stdev(values)
    for n in range(len(values) + 1, limit + 1):
        if stats.t.ppf(0.5 + confidence / 2, n - 1) * spread / math.sqrt(n) < gap:
            return n
    return None


def decide(rule: DecisionRule, values: Iterable[float]) -> Decision:
    """Apply the rule to per-seed values. Non-finite values (a diverged seed) count against the paper's side."""
    values = tuple(float(v) for v in values)
    if not values:
        raise ValueError(f"no values to decide '{rule.label}'")
    worst = math.inf if rule.better == "below" else -math.inf
    finite = tuple(v if math.isfinite(v) else worst for v in values)
    if rule.aggregate == "every" or not all(math.isfinite(v) for v in finite):
        mean = statistics.fmean(finite) if all(math.isfinite(v) for v in finite) else worst
        ok = all(rule.supports(v) for v in finite)
        lo, hi = min(finite), max(finite)
        return Decision(rule, values, mean, lo, hi, "reproduced" if ok else "not reproduced")
    mean, low, high = t_interval(finite, rule.confidence)
    if rule.supports(low) and rule.supports(high):
        verdict: Verdict = "reproduced"
    elif not rule.supports(low) and not rule.supports(high):
        verdict = "not reproduced"
    else:
        return Decision(rule, values, mean, low, high, "inconclusive",
                        seeds_needed(finite, rule.threshold, rule.confidence))
    return Decision(rule, values, mean, low, high, verdict)


def combine(decisions: Sequence[Decision]) -> Verdict:
    """One verdict for a card with several sub-claims: not reproduced if any fails, reproduced if all hold."""
    verdicts = {d.verdict for d in decisions}
    if "not reproduced" in verdicts:
        return "not reproduced"
    return "reproduced" if verdicts == {"reproduced"} else "inconclusive"


@dataclass(frozen=True)
class Arm:
    """One arm of an experiment: a name and the config overrides that make it."""

    name: str
    overrides: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """A directory name for the arm."""
        return "".join(c if c.isalnum() or c in "-." else "-" for c in self.name.replace(" -> ", "-to-")).strip("-")


def map_jobs(fn: Callable[..., R], tasks: Sequence[tuple], jobs: int = 1) -> list[R]:
    """fn(*task) for every task, in order; with jobs > 1 in that many processes, one torch thread each.

    fn and the tasks must be picklable (module-level functions, plain values) when jobs > 1.
    """
    if jobs <= 1 or len(tasks) <= 1:
        return [fn(*task) for task in tasks]
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=get_context("spawn"),
                             initializer=_one_thread) as pool:
        return list(pool.map(_call, [(fn, task) for task in tasks]))


def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


def _call(job: tuple) -> object:
    fn, task = job
    return fn(*task)


def finish_card(card: Any, settings: Any) -> Path:
    """Stamp a Card with the ExperimentSettings' tier and the wall-clock time since it started; write it.

    Typed loosely: card.py and registry.py import this module, so naming their classes here would be a circle.
    """
    import time

    card.tier = settings.budget
    card.wall_s = time.time() - settings.started
    return card.write(settings.out_dir)
