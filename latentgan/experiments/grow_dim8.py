"""A bGAN with an 8-d latent space beside clgGAN's first block (Sandström 2019, sec. 7.2.1, Figure 20 against
Figure 18): one card."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from latentgan.experiments.card import Card
from latentgan.experiments.grow_common import BUDGETS, PAPER, Budget, ImageQuality, measure_run, train_arm
from latentgan.experiments.grow_figures import save_walk_figures
from latentgan.experiments.grow_order import departures, mean_std
from latentgan.experiments.protocol import Arm, DecisionRule, decide, finish_card, map_jobs, pick_budget
from latentgan.experiments.registry import ExperimentSettings, register_experiment

CLAIM = ("A bGAN with an 8-d latent space varies more over its whole latent space than clgGAN does over its first "
         "block 1-8, at a significant cost in image quality (Figure 20 against Figure 18).")
ARMS = (Arm("bgan-dim8", ("model.name=bgan", "model.latent_dim=8")), Arm("clggan", ("model.name=clggan",)))
VARIABILITY = "latent_order_block_1-8"
# Fixed before any run; per seed, the two models trained from the same seed are paired.
VARIABILITY_RULE = DecisionRule("bGAN-8 variability (whole latent space) / clgGAN's (block 1-8), same seed", 1.0,
                                "above", seeds=3, source="Fig. 20 varies more than Fig. 18")
COST_RULE = DecisionRule("bGAN-8 / clgGAN classifier FID, same seed", 1.1, "above", seeds=3,
                         source="'a significant cost regarding image quality'; stand-in: FID at least 10% higher")


@register_experiment("grow-dim8", PAPER, CLAIM)
def grow_dim8(settings: ExperimentSettings) -> Path:
    """Train bGAN-8 and clgGAN over seeds; compare block 1-8 variability and FID; decide; write the card."""
    budget = pick_budget(BUDGETS, settings.budget)
    seeds, out = settings.seeds or budget.seeds, Path(settings.out_dir)
    budget = replace(budget, seeds=seeds)  # the card's budget line and departures name the seeds run
    tasks = [(arm, budget, seed, str(out), settings.device) for seed in range(seeds) for arm in ARMS]
    settings.log(f"grow-dim8: {len(tasks)} runs of {budget.total_steps} steps, {settings.jobs} jobs")
    runs = dict(zip([(t[0].name, t[2]) for t in tasks], map_jobs(train_arm, tasks, jobs=settings.jobs), strict=True))
    quality = ImageQuality(budget, settings.device)
    results = {arm.name: [measure_run(runs[(arm.name, seed)], quality, [(1, 8)]) for seed in range(seeds)]
               for arm in ARMS}
    figures = [path for arm in ARMS for path in save_walk_figures(runs[(arm.name, 0)], out, arm.name, [])]
    small, grown = results["bgan-dim8"], results["clggan"]
    decisions = [decide(VARIABILITY_RULE, [s[VARIABILITY] / g[VARIABILITY] for s, g in zip(small, grown, strict=True)]),
                 decide(COST_RULE, [s["fid"] / g["fid"] for s, g in zip(small, grown, strict=True)])]
    return finish_card(_card(results, budget, settings, figures, quality.name, decisions), settings)


def _card(results: dict[str, list[dict]], budget: Budget, settings: ExperimentSettings, figures: list[Path],
          quality: str, decisions: list) -> Card:
    verdict = "; ".join(d.summary() for d in decisions) + (
        " (smoke tier: checks the pipeline, decides nothing)." if settings.budget == "smoke" else ".")
    rows = [{"model": name, "seeds": len(runs), "block 1-8 variability": mean_std([r[VARIABILITY] for r in runs]),
             "per-seed variability": ", ".join(f"{r[VARIABILITY]:.3f}" for r in runs),
             "FID": mean_std([r["fid"] for r in runs], 4), "per-seed FID": ", ".join(f"{r['fid']:.1f}" for r in runs),
             "training s": mean_std([r["wall_sec"] for r in runs], 4)} for name, runs in results.items()]
    notes = [f"Budget: {budget.describe()}; bGAN-8 is bGAN (the final network from the start) with an 8-d latent "
             "space, trained the same steps as clgGAN.",
             "Variability: the latent-order metric of block 1-8 (mean per-pixel std over 16 resamplings of the block "
             "around each of 16 reference codes); for bGAN-8 block 1-8 is its whole latent space.",
             f"FID: {quality}; {budget.eval_n:,} samples against {budget.eval_n:,} held-out test images.",
             "Figures (seed 0): bGAN-8, five codes linearly interpolated through its whole latent space (Fig. 20); "
             "clgGAN, one row per block (Fig. 18 is its first row)."]
    if decisions[-1].verdict != "reproduced":
        full = budget.fade_steps + budget.stable_steps
        notes.append("Equal steps may favour bGAN-8 here: clgGAN trains at full resolution only in its last fade-in "
                     f"and stable phase ({full:,} of {budget.total_steps:,} steps), bGAN-8 throughout; the thesis ran "
                     "both for 44 epochs, 8 of them at full resolution. Next experiment: the paper tier, or this tier "
                     "with a longer last stable phase (equal full-resolution steps) to see whether the cost appears.")
    card = Card("grow-dim8", PAPER, CLAIM, verdict, None, rows, notes, figures)
    card.decisions = decisions
    card.paper_number = "pictures only (Fig. 20 vs Fig. 18): more variability, worse images"
    if settings.budget != "paper":
        card.departures = [*departures(budget),
                           "bGAN-8's prior is an 8-d Gaussian normalised to unit length; the thesis takes the first 8 "
                           "entries of a normalised 256-d Gaussian (a scale the first layer absorbs)."]
    return card
