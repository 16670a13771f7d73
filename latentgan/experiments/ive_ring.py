"""IVE-GAN on the 8-Gaussian ring (Figure 2): every mode covered, in every seed, with most samples near a mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import latentgan
from latentgan.api import load_data
from latentgan.config import load_config
from latentgan.evaluation import evaluate_run
from latentgan.experiments.card import Card
from latentgan.experiments.ive_common import PAPER, train_overrides
from latentgan.experiments.protocol import DecisionRule, decide, finish_card, map_jobs, pick_budget
from latentgan.experiments.registry import ExperimentSettings, register_experiment
from latentgan.experiments.runs import train_or_continue
from latentgan.metrics.modes import aggregate_over_seeds, mode_coverage
from latentgan.train.checkpoint import list_checkpoints
from latentgan.train.run_dir import checkpoints_dir, read_run
from latentgan.viz.points import save_points_over_steps

CLAIM = ("On 8 Gaussians on a ring, IVE-GAN's generator covers all modes with its mass spread evenly (Figure 2); "
         "stand-in for the picture: 8/8 modes and >= 85 % high-quality samples in every seed.")
METHODS = ("IVE-GAN", "GAN")
# Figure 2 shows all eight modes covered; "every seed" is the reading of a picture of one run.
MODES_RULE = DecisionRule("IVE-GAN modes captured (3 std, modes metric)", 8, "above", seeds=3, aggregate="every",
                          source="Figure 2 shows 8/8 modes; issue 23's stand-in: in every seed")
# T(x), the points Eq. 3 calls real, lie within 3 std of a mode 95.0 % of the time, so 95 % is the ceiling;
# issue 23 sets 85 %.
HQ_RULE = DecisionRule("IVE-GAN high-quality share (3 std, modes metric)", 0.85, "above", seeds=3, aggregate="every",
                       source="stand-in from issue 23; T(x)'s own ceiling is 95 %")


@dataclass(frozen=True)
class RingBudget:
    """Steps, seeds and the overrides both arms share."""

    steps: int
    seeds: int
    shared: tuple[str, ...] = ()
    snapshots: int = 5  # checkpoints kept for the Figure 2 panels


# paper: Table 1 as printed (50,000 iterations of batch 1,024). cpu: two hidden layers of leaky ReLU units, batch
# 256, learning rates 1e-3 and the non-saturating loss: in our trials Table 1's nets after 6,000 such steps put
# 6 % of samples near a mode, two layers 62 %. smoke: seconds.
BUDGETS = {
    "smoke": RingBudget(40, 1, ("model.hidden=[16]", "data.n_points=1000", "train.batch_size=64"), snapshots=2),
    "cpu": RingBudget(6000, 3, ("model.hidden=[128,128]", "model.mlp_activation=leaky_relu", "model.loss=ns",
                                "model.lr_g=0.001", "model.lr_d=0.001", "train.batch_size=256")),
    "paper": RingBudget(50_000, 10),
}


def ring_gan_overrides(budget: RingBudget) -> list[str]:
    """The plain GAN with IVE-GAN's generator (input z0 and z) and D0 as discriminator, same units and optimiser."""
    ive = load_config("ive-ring", list(budget.shared)).model
    return ["model.name=gan", "model.arch=mlp", f"model.loss={ive.loss}",
            f"model.latent_dim={ive.latent_dim + ive.noise_dim}", f"model.hidden={list(ive.hidden)}",
            f"model.mlp_activation={ive.mlp_activation}", f"model.lr_g={ive.lr_g}", f"model.lr_d={ive.lr_d}",
            f"model.betas={list(ive.betas)}", "model.init=xavier", "data.name=ring",
            *[o for o in budget.shared if o.startswith(("train.", "data."))]]


def train_ring_run(method: str, seed: int, budget: RingBudget, settings: ExperimentSettings) -> Path:
    """One (method, seed) run on the ring with `budget.snapshots` checkpoints kept; returns the run directory."""
    common = train_overrides(budget.steps, seed, settings, budget.snapshots)
    if method == "IVE-GAN":
        config = load_config("ive-ring", [*budget.shared, *common])
    else:
        config = load_config("gan-ring", [*ring_gan_overrides(budget), *common])
    return train_or_continue(config, settings.out_dir / method.lower() / f"seed{seed}")


def _metric(metrics: dict, prefix: str) -> float:
    return float(next(v for k, v in metrics.items() if k.startswith(prefix)))


def evaluate_ring_run(run_dir: Path, seed: int, device: str = "cpu") -> dict[str, float]:
    """The `modes` metric (the numbers eval.json and summary.md show) and, for IVE-GAN, reconstruction MSE."""
    metrics = evaluate_run(run_dir, "modes", seed=10_000 + seed, device=device)["metrics"]
    result = {"modes_hq": _metric(metrics, "modes_captured@"), "hq": _metric(metrics, "high_quality_fraction@"),
              "kl": _metric(metrics, "reverse_kl@"), "modes_ali": _metric(metrics, "modes_covered_ali@")}
    model = latentgan.load(run_dir)
    if model.can("encode") and model.can("decode"):
        config, _ = read_run(run_dir)
        x = load_data(config).x[:2000]
        result["recon_mse"] = float((model.reconstruct(x) - x).pow(2).sum(dim=1).mean())
    return result


def train_and_score(method: str, seed: int, budget: RingBudget, out_dir: Path, device: str) -> dict[str, float]:
    """Train (or reuse) one run and score it: the unit of work `map_jobs` spreads over processes (plain arguments:
    the settings' log function does not pickle)."""
    torch.set_num_threads(1)  # 2-D MLPs: more threads only add synchronisation
    settings = ExperimentSettings(out_dir, device=device)
    return evaluate_ring_run(train_ring_run(method, seed, budget, settings), seed, device)


def score_ring_points(points: torch.Tensor, data) -> dict[str, float]:
    """HQ share, modes and reverse KL of reference points, by the same function the `modes` metric uses."""
    coverage = mode_coverage(points[:2500], data.modes, data.mode_std)
    return {"modes_hq": coverage["modes_captured"], "hq": coverage["high_quality_fraction"],
            "kl": coverage["reverse_kl"]}


def ring_references(ive_run: Path, seeds: int) -> dict[str, list[dict]]:
    """Real points and their transforms T(x) scored like samples, one fresh draw per seed.

    Eq. 3's discriminators take T(x) as real, so T(x) is what a perfectly trained IVE-GAN generates: its HQ share
    is the ceiling of the method's (for Eq. 4's shift, 1 - exp(-3) = 95.0 % in expectation).
    """
    config, _ = read_run(ive_run)
    data, model = load_data(config), latentgan.load(ive_run)
    out: dict[str, list[dict]] = {"real data": [], "T(x), real for D": []}
    for seed in range(seeds):
        g = torch.Generator().manual_seed(20_000 + seed)
        x = data.x[torch.randperm(len(data.x), generator=g)[:10_000]]
        out["real data"].append(score_ring_points(x, data))
        out["T(x), real for D"].append(score_ring_points(model.transform_batch(x, g), data))
    return out


def ring_snapshots(run_dir: Path, n: int = 2000) -> list[tuple[int, torch.Tensor]]:
    """(step, samples) from every kept checkpoint of a run: the panels of Figure 2."""
    snapshots = []
    for path in list_checkpoints(checkpoints_dir(run_dir)):
        model = latentgan.load(run_dir, checkpoint=path)
        step = int(torch.load(path, weights_only=True, map_location="cpu")["step"])
        snapshots.append((step, model.sample(n, generator=torch.Generator().manual_seed(0))))
    return snapshots


def ring_rows(results: dict[str, list[dict]]) -> list[dict]:
    """Card table: per method, modes by both counts, seeds with all 8 modes, HQ %, reverse KL."""
    rows = []
    for method, per_seed in results.items():
        s = aggregate_over_seeds(per_seed)
        rows.append({"method": method, "seeds": len(per_seed),
                     "modes (3 std)": f"{s['modes_hq']['mean']:.2f} +- {s['modes_hq']['std']:.2f}",
                     "seeds with 8/8": sum(r["modes_hq"] == 8 for r in per_seed),
                     "modes (ALI count)": f"{s['modes_ali']['mean']:.2f}" if "modes_ali" in s else "-",
                     "HQ %": f"{100 * s['hq']['mean']:.1f} +- {100 * s['hq']['std']:.1f}",
                     "reverse KL": f"{s['kl']['mean']:.3g}",
                     "recon MSE": f"{s['recon_mse']['mean']:.3g}" if "recon_mse" in s else "-"})
    return rows


def departures(budget: RingBudget) -> list[str]:
    """How a ring tier departs from Table 1, and why."""
    out = ["G's output layer is linear: Table 1's tanh output cannot reach a ring of radius 2.",
           "Ring std 0.02 (Metz et al.'s benchmark): the paper does not give its std."]
    if budget.steps < 50_000:
        out.append(f"{budget.steps:,} steps instead of 50,000, with "
                   f"{', '.join(o for o in budget.shared if not o.startswith('data.')) or 'Table 1 as printed'}: "
                   "Table 1's one-layer nets put 6 % of samples near a mode after 6,000 steps in our trials.")
    return out


def run_ive_ring8(settings: ExperimentSettings) -> Path:
    """Train IVE-GAN and the plain GAN per seed, count modes, draw Figure 2's panels, write the card."""
    budget = pick_budget(BUDGETS, settings.budget)
    seeds = settings.seeds or budget.seeds
    tasks = [(method, seed, budget, settings.out_dir, settings.device) for method in METHODS for seed in range(seeds)]
    scores = map_jobs(train_and_score, tasks, jobs=settings.jobs)
    results = {m: [s for (method, *_), s in zip(tasks, scores, strict=True) if method == m] for m in METHODS}
    first = {m: settings.out_dir / m.lower() / "seed0" for m in METHODS}
    results.update(ring_references(first["IVE-GAN"], seeds))
    figures = []
    for method, run_dir in first.items():
        data = load_data(read_run(run_dir)[0])
        figures.append(save_points_over_steps(ring_snapshots(run_dir), data.modes,
                                              settings.out_dir / f"density_{method.lower()}.png",
                                              std=data.mode_std, real=data.x[:2000]))
    ive = results["IVE-GAN"]
    decisions = [decide(MODES_RULE, [r["modes_hq"] for r in ive]), decide(HQ_RULE, [r["hq"] for r in ive])]
    ceiling = float(np.mean([r["hq"] for r in results["T(x), real for D"]]))
    verdict = (f"IVE-GAN captured all 8 modes in {sum(r['modes_hq'] == 8 for r in ive)}/{len(ive)} seeds with "
               f"{100 * np.mean([r['hq'] for r in ive]):.1f} % high-quality samples on average; a generator that "
               f"matched T(x), the points Eq. 3 treats as real, would score {100 * ceiling:.1f} %.")
    notes = [f"Budget: {budget.steps} steps per run, {seeds} seeds per method. Config ive-ring: Table 1 (z 3-d "
             "uniform, z0 4-d Gaussian; Adam 2e-4 / 1e-4, beta_1 0.7); T(x) = x + N(0, Sigma / 2) (Eq. 4).",
             "GAN: the same generator (input z0 and z, 7-d Gaussian) and D0 as discriminator, same optimiser.",
             "Modes and HQ % come from the `modes` metric (VEEGAN's 3-std count on 2,500 samples; eval.json of "
             "each run holds the same numbers); the ALI count uses 10,000 samples.",
             "Per-seed (modes, HQ): " + "; ".join(
                 f"{m} {[(r['modes_hq'], round(r['hq'], 3)) for r in rs]}" for m, rs in results.items())]
    card = Card(name="ive-ring8", paper=PAPER, claim=CLAIM, verdict=verdict, reproduced=None, rows=ring_rows(results),
                notes=notes, figures=figures, decisions=decisions, departures=departures(budget),
                paper_number="8/8 modes (Figure 2, one run)")
    return finish_card(card, settings)


@register_experiment("ive-ring8", PAPER, CLAIM)
def ive_ring8(settings: ExperimentSettings) -> Path:
    """IVE-GAN vs a plain GAN on the 8-Gaussian ring: modes over seeds and Figure 2's density over steps."""
    return run_ive_ring8(settings)
