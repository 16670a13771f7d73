"""Card lens-wgangp: with WGAN-GP the lens run reaches good FIDs earlier and both end at about the same FID
(section 4.3.1, Fig. 7: CIFAR-10, 39 and 39); here on mnist5k, the data the library's classifier FID reads."""

from __future__ import annotations

import statistics
from dataclasses import replace
from functools import partial
from pathlib import Path

from latentgan.experiments.lens_common import (
    CPU_DATA,
    NO_LENS,
    PAPER,
    PAPER_DATA,
    SMOKE_DATA,
    WGAN_GP,
    WITH_LENS,
    LensBudget,
    common_departures,
    end_value,
    lens_card,
    paired_ratios,
    standard_arms,
    train_arms,
    window_value,
)
from latentgan.experiments.protocol import DecisionRule, decide, pick_budget
from latentgan.experiments.registry import ExperimentSettings, register_experiment

CLAIM = ("With WGAN-GP the lens run 'quickly surpasses the quality of the model without a lens', and trained long "
         "enough both reach the same FID (section 4.3.1, Fig. 7: CIFAR-10, 39 and 39). Ours: the lens run's "
         "classifier FID over the evaluations from lambda = 0 to twice that step is below the baseline's, and its "
         "end FID is at most 1.1x the baseline's.")
# Steps count critic updates; K counts generator iterations, one per d_steps = 5 critic updates. paper: CIFAR-10's
# 100k generator iterations are 500k critic steps; we keep the old card's 100k steps, K = 10k (Fig. 7) -> lambda
# reaches 0 at step 50k. cpu: 6,000 critic steps (1,200 generator iterations), K = 300 (a quarter of them): about 20 s
# per 1,000 critic steps without the lens and 30 s with it on one shared core (docs/results.md, pilot C).
BUDGETS = {
    "smoke": LensBudget(10, 1, 5, 32, 3, SMOKE_DATA, lens_width=2, lens_blocks=1, d_steps=5),
    "cpu": LensBudget(6000, 300, 250, 1000, 3, CPU_DATA, d_steps=5),
    "paper": LensBudget(100_000, 10_000, 5000, 10_000, 3, PAPER_DATA, lens_width=32, lens_blocks=8, d_steps=5),
}
EARLY_RULE = DecisionRule("classifier FID with lens / without, mean over the evaluations from lambda = 0 to twice "
                          "that step (same seed)", 1.0, "below", seeds=3,
                          source="Fig. 7 shows the lens run ahead early; stand-in: ratio <= 1 soon after lambda = 0")
END_RULE = DecisionRule("end classifier FID with lens / without (same seed)", 1.1, "below", seeds=3,
                        source="paper: both end at FID 39; stand-in: the lens run no more than 10 % worse")


def run_lens_wgangp(settings: ExperimentSettings) -> Path:
    """Train WGAN-GP with and without the lens per seed, decide both rules, write the card."""
    budget = pick_budget(BUDGETS, settings.budget)
    runs = train_arms(WGAN_GP, standard_arms(budget), budget, settings)
    zero = budget.lambda_zero_step
    early = paired_ratios(runs, WITH_LENS, NO_LENS, partial(window_value, start=zero - 1, stop=2 * zero))
    end = paired_ratios(runs, WITH_LENS, NO_LENS, end_value)
    decisions = [decide(replace(EARLY_RULE, seeds=len(early)), early),
                 decide(replace(END_RULE, seeds=len(end)), end)]
    verdict = (f"Classifier FID with lens / without from lambda = 0 to twice that step: mean "
               f"{statistics.fmean(early):.2f} ({decisions[0].verdict}); at the end: mean {statistics.fmean(end):.2f} "
               f"({decisions[1].verdict}).")
    return lens_card("lens-wgangp", CLAIM, WGAN_GP, runs, budget, settings, verdict=verdict, decisions=decisions,
                     paper_number="FID 39 with and without the lens (CIFAR-10), lens run ahead early",
                     departures=["mnist5k instead of CIFAR-10: the classifier FID needs digits; the paper's WGAN-GP "
                                 "models and RMSProp are replaced by our DCGAN nets with Adam (0.5, 0.9) at 2e-4.",
                                 *common_departures(budget, settings.budget)],
                     budget_note="; 5 critic updates per generator iteration")


@register_experiment("lens-wgangp", PAPER, CLAIM)
def lens_wgangp(settings: ExperimentSettings) -> Path:
    """WGAN-GP with and without a scheduled lens on mnist5k: early and end FID ratios over seeds."""
    return run_lens_wgangp(settings)
