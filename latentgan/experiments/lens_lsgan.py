"""Card lens-lsgan: LSGAN without batch norm 'did not train in most cases' without a lens and trained in every seed
with it (section 4.2.1: best run 19 without; 14-16 with)."""

from __future__ import annotations

import statistics
from pathlib import Path

from latentgan.experiments.lens_common import (
    CPU_DATA,
    LSGAN,
    NO_LENS,
    PAPER,
    PAPER_DATA,
    SMOKE,
    WITH_LENS,
    LensBudget,
    common_departures,
    end_value,
    lens_card,
    metric_curve,
    paired_ratios,
    standard_arms,
    train_arms,
)
from latentgan.experiments.protocol import DecisionRule, decide, pick_budget
from latentgan.experiments.registry import ExperimentSettings, register_experiment

CLAIM = ("LSGAN (the weak DCGAN without batch norm, least squares on D's sigmoid output) 'did not train in most "
         "cases' without a lens and trained in every seed with it (section 4.2.1, MNIST: best run 19 without; 14-16 "
         "with). Ours: with the lens every seed trains (end classifier FID <= a fixed bar), and the lens run's end "
         "FID <= 0.75x the baseline's from the same weights, mean over seeds.")
# paper: 200k steps, K = 10k, 5 seeds. cpu: lens-mnist's 4,000 steps and K = 1,000, 5 seeds (the paper's claim is
# about how many seeds train). smoke: seconds.
BUDGETS = {
    "smoke": SMOKE,
    "cpu": LensBudget(4000, 1000, 200, 1000, 5, CPU_DATA),
    "paper": LensBudget(200_000, 10_000, 5000, 4096, 5, PAPER_DATA, lens_width=32, lens_blocks=8),
}
# "Trains" as a classifier FID bar, fixed before the cpu runs from the pilots in docs/results.md: there the ns
# DCGAN with batch norm reached 241 at 2,000 steps and a failed LSGAN seed stayed above 1,000 (D perfect, G starved).
TRAINS = {"smoke": 1000.0, "cpu": 300.0, "paper": 50.0}


def rules(tier: str, seeds: int) -> tuple[DecisionRule, DecisionRule]:
    """Every lensed seed under the tier's 'trains' bar; the lens run's end FID <= 0.75x the baseline's."""
    return (DecisionRule(f"end classifier FID with lens (every seed trains: <= {TRAINS[tier]:g})", TRAINS[tier],
                         "below", seeds=seeds, aggregate="every",
                         source="paper: 'with the lens, the networks always trained well'; the bar is our stand-in"),
            DecisionRule("end classifier FID with lens / without (same seed)", 0.75, "below", seeds=seeds,
                         source="paper: most seeds fail without the lens; best 14 / 19 = 0.74"))


def run_lens_lsgan(settings: ExperimentSettings) -> Path:
    """Train LSGAN with and without the lens per seed, decide both rules, write the card."""
    budget = pick_budget(BUDGETS, settings.budget)
    runs = train_arms(LSGAN, standard_arms(budget), budget, settings)
    every, paired = rules(settings.budget, settings.seeds or budget.seeds)
    ends = {arm: [end_value(metric_curve(d)) for d in dirs] for arm, dirs in runs.items()}
    ratios = paired_ratios(runs, WITH_LENS, NO_LENS, end_value)
    decisions = [decide(every, ends[WITH_LENS]), decide(paired, ratios)]
    trained = {arm: sum(v <= TRAINS[settings.budget] for v in values) for arm, values in ends.items()}
    verdict = (f"Seeds that train (end classifier FID <= {TRAINS[settings.budget]:g}): "
               + ", ".join(f"{arm} {n}/{len(ends[arm])}" for arm, n in trained.items())
               + f"; end FID with lens / without: mean {statistics.fmean(ratios):.2f} "
               f"({', '.join(f'{r:.2f}' for r in ratios)}).")
    return lens_card("lens-lsgan", CLAIM, LSGAN, runs, budget, settings, verdict=verdict, decisions=decisions,
                     paper_number="trains in all seeds with the lens (FID 14-16), few without (best 19)",
                     departures=["LSGAN's least squares on D's sigmoid output (model.loss=lsgan-sigmoid): eqs. 9-11 "
                                 "square D's output and the paper's D ends in a sigmoid; Mao et al.'s raw-logit form "
                                 "(model.loss=lsgan) is stabler (docs/lens-review.md).",
                                 *common_departures(budget, settings.budget)])


@register_experiment("lens-lsgan", PAPER, CLAIM)
def lens_lsgan(settings: ExperimentSettings) -> Path:
    """LSGAN with and without a scheduled lens on mnist5k: seeds that train and the FID ratio."""
    return run_lens_lsgan(settings)
