"""What the tempering-lens cards share (Sajjadi et al., ICML 2018): the GAN recipes, budgets counted in optimizer
steps, one seeded run with the classifier FID over steps, the statistics the rules read, and the figures.

Every card trains the same GAN with and without a lens from the same initial weights (the lens is built from a
forked RNG) for several seeds; the card modules (lens_mnist, lens_lsgan, lens_wgangp, lens_fixed_lambda,
lens_stacked) pick the recipe, the arms and the rule.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import torch

import latentgan
from latentgan.config import load_config
from latentgan.data.base import to_unit_range
from latentgan.experiments.card import Card
from latentgan.experiments.protocol import Arm, Decision, finish_card, map_jobs
from latentgan.experiments.registry import ExperimentSettings
from latentgan.experiments.runs import train_or_continue
from latentgan.train.checkpoint import list_checkpoints
from latentgan.train.run_dir import checkpoints_dir, read_run
from latentgan.viz.grid import save_image_grid
from latentgan.viz.save import new_figure, save_figure

PAPER = "Sajjadi, Parascandolo, Mehrjou, Schölkopf. Tempered Adversarial Networks. ICML 2018"

# The paper's weak DCGAN (sec. 2.4, Fig. 3): DCGAN layout with 4x4 kernels, batch norm in G and D, ReLU in G and
# leaky ReLU in D, Adam at 1e-4, Xavier init, batch 32 (the paper uses 32 and 64); "intentionally not a very large
# number of feature channels". Fig. 3's C is not in the text; the paper tier takes C = 32 (maps 32-64-128).
WEAK_DCGAN = ("model.name=gan", "model.loss=ns", "model.width=32", "model.latent_dim=100", "model.lr_g=1e-4",
              "model.lr_d=1e-4", "model.betas=[0.5, 0.999]", "model.init=xavier", "train.batch_size=32")
# "LSGAN is trained in the same setting but without batchnorm" (sec. 2.4); eqs. 9-11 square D's output, which we
# read as least squares on sigmoid outputs (docs/lens-review.md, item 3): the form that starves G's gradients.
LSGAN = (*WEAK_DCGAN, "model.loss=lsgan-sigmoid", "model.g_batch_norm=false", "model.d_batch_norm=false")
# Gulrajani et al.'s recipe on our DCGAN nets: 5 critic steps, penalty 10, Adam (0.5, 0.9) at 2e-4; no batch norm
# in the critic (the loss turns it off).
WGAN_GP = (*WEAK_DCGAN, "model.loss=wgan-gp", "model.d_steps=5", "model.betas=[0.5, 0.9]", "model.lr_g=2e-4",
           "model.lr_d=2e-4")
# The paper's images are 32 px ("The image size in all experiments is 32x32 pixels").
PAPER_DATA = ("data.name=mnist5k", "data.split=all", "data.pad_to=32")
# The cpu tier: the 5,000 real digits at their own 28 px (the classifier FID needs 28 or 32), and half the maps.
CPU_DATA = ("data.name=mnist5k", "data.split=all", "model.width=16")
NO_LENS = "without lens"
WITH_LENS = "with lens"


@dataclass(frozen=True)
class LensBudget:
    """One tier of a lens card: optimizer steps (discriminator updates), K in generator iterations, evaluation
    cadence and size, seeds, the lens's size and the overrides the tier puts on top of the card's recipe."""

    steps: int
    k: int
    eval_every: int
    eval_n: int
    seeds: int
    shared: tuple[str, ...] = ()
    lens_width: int = 8
    lens_blocks: int = 2
    d_steps: int = 1

    @property
    def lambda_zero_step(self) -> int:
        """The optimizer step at which lambda reaches 0 (K generator iterations of d_steps steps each)."""
        return self.k * self.d_steps

    def describe(self) -> str:
        """'4,000 optimizer steps of batch 32, K = 1,000 (...)' for the card."""
        return (f"{self.steps:,} optimizer steps per run (lambda reaches 0 at step {self.lambda_zero_step:,}: K = "
                f"{self.k:,} generator iterations), {self.seeds} seeds per arm, classifier FID on {self.eval_n:,} "
                f"samples every {self.eval_every:,} steps; lens of {self.lens_blocks} residual blocks at "
                f"{self.lens_width} maps")


# The smoke tier of every mnist5k card: seconds, tiny networks, checks the pipeline only.
SMOKE_DATA = ("data.name=mnist5k", "data.split=all", "model.width=4", "model.latent_dim=8", "train.batch_size=8")
SMOKE = LensBudget(8, 2, 4, 32, 3, SMOKE_DATA, lens_width=2, lens_blocks=1)


def lens_arm(name: str, budget: LensBudget, **extra) -> Arm:
    """An arm with a lens of the budget's size and K; `extra` adds model.lens keys (fixed_lambda, reconstruction)."""
    spec = {"k": budget.k, "width": budget.lens_width, "blocks": budget.lens_blocks, **extra}
    return Arm(name, (f"model.lens={json.dumps(spec)}",))


def standard_arms(budget: LensBudget) -> tuple[Arm, ...]:
    """The GAN without a lens and with the scheduled lens."""
    return Arm(NO_LENS), lens_arm(WITH_LENS, budget)


def train_lens_run(recipe: tuple[str, ...], arm: Arm, seed: int, budget: LensBudget, out_dir: str, device: str,
                   metric: str = "cfid", snapshots: int = 1) -> str:
    """Train (or reuse / continue) one (arm, seed) run with `metric` every budget.eval_every steps; returns its
    directory. Plain arguments: the unit of work `map_jobs` spreads over processes."""
    torch.set_num_threads(1)
    out = Path(out_dir) / arm.slug / f"seed{seed}"
    every = max(budget.steps // snapshots, 1)
    overrides = [*recipe, *budget.shared, *arm.overrides, f"train.steps={budget.steps}", f"train.seed={seed}",
                 f"train.eval_every={budget.eval_every}", f"train.eval_metrics=[{metric}]",
                 f"train.eval_n={budget.eval_n}", f"train.checkpoint_every={every}",
                 f"train.keep_checkpoints={snapshots}", f"train.sample_every={budget.steps}", "train.log_every=50",
                 "train.progress=false", f"train.device={device}"]
    return str(train_or_continue(load_config(None, overrides), out))


def train_arms(recipe: tuple[str, ...], arms: tuple[Arm, ...], budget: LensBudget, settings: ExperimentSettings,
               metric: str = "cfid") -> dict[str, list[Path]]:
    """Every arm x seed (seed 0 keeps four checkpoints for the lens grids); {arm name: [run dir per seed]}."""
    seeds = settings.seeds or budget.seeds
    tasks = [(recipe, arm, seed, budget, str(settings.out_dir), settings.device, metric, 4 if seed == 0 else 1)
             for arm in arms for seed in range(seeds)]
    settings.log(f"{len(tasks)} lens runs of {budget.steps} steps, {settings.jobs} jobs")
    runs = map_jobs(train_lens_run, tasks, jobs=settings.jobs)
    return {arm.name: [Path(r) for (_, a, *_), r in zip(tasks, runs, strict=True) if a.name == arm.name]
            for arm in arms}


def read_records(run_dir: Path) -> list[dict]:
    """The run's metrics.jsonl as a list of dicts."""
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def metric_curve(run_dir: Path, prefix: str = "fid_") -> list[tuple[int, float]]:
    """(step, value) of the first metric key starting with prefix, e.g. 'fid_' (classifier FID) or 'lens_recon'."""
    return [(r["step"], float(v)) for r in read_records(run_dir) for k, v in r.items()
            if k.startswith(prefix) and isinstance(v, (int, float))]


def end_value(curve: list[tuple[int, float]], last: int = 3) -> float:
    """The mean of the last `last` evaluations: the end point, less noisy than one evaluation of 1,000 samples."""
    values = [v for _, v in curve[-last:]]
    return statistics.fmean(values) if values and all(map(math.isfinite, values)) else math.inf


def window_value(curve: list[tuple[int, float]], start: int, stop: int) -> float:
    """The mean over the evaluations with start < step <= stop (inf if there are none)."""
    values = [v for s, v in curve if start < s <= stop]
    return statistics.fmean(values) if values and all(map(math.isfinite, values)) else math.inf


def paired_ratios(runs: dict[str, list[Path]], arm: str, base: str, stat, prefix: str = "fid_") -> list[float]:
    """stat(curve of `arm`) / stat(curve of `base`) per seed (same seed, same initial G and D); curves of the metric
    starting with `prefix`."""
    return [stat(metric_curve(a, prefix)) / stat(metric_curve(b, prefix))
            for a, b in zip(runs[arm], runs[base], strict=True)]


def arm_rows(runs: dict[str, list[Path]], budget: LensBudget, prefix: str = "fid_", label: str = "cFID") -> list[dict]:
    """Per arm: end value (mean of the last three evaluations) per seed, mean, best evaluation, final lens MSE."""
    rows = []
    for arm, dirs in runs.items():
        curves = [metric_curve(d, prefix) for d in dirs]
        ends = [end_value(c) for c in curves]
        row = {"arm": arm, "seeds": len(dirs), f"end {label} per seed": ", ".join(f"{v:.1f}" for v in ends),
               f"end {label} mean": f"{statistics.fmean(ends):.1f}",
               f"best {label} (any evaluation)": f"{min(v for c in curves for _, v in c):.1f}" if curves[0] else "-",
               f"{label} at lambda = 0": ", ".join(f"{dict(c).get(budget.lambda_zero_step, math.nan):.1f}"
                                                   for c in curves)}
        recon = [c[-1][1] for c in (metric_curve(d, "lens_recon") for d in dirs) if c]
        row["end lens MSE (per pixel)"] = f"{statistics.fmean(recon):.4f}" if recon else "-"
        rows.append(row)
    return rows


def save_curves(runs: dict[str, list[Path]], path: Path, budget: LensBudget, prefix: str = "fid_",
                ylabel: str = "classifier FID") -> Path:
    """The metric over steps: one colour per arm, one line per seed (the paper's Fig. 6); lambda = 0 marked."""
    fig = new_figure(5.5, 3.4)
    ax = fig.subplots()
    for colour, (arm, dirs) in zip(["tab:green", "tab:blue", "tab:orange", "tab:red"], runs.items(), strict=False):
        for i, run in enumerate(dirs):
            points = metric_curve(run, prefix)
            if points:
                ax.plot(*zip(*points, strict=True), color=colour, alpha=0.8, linewidth=1.1,
                        label=arm if i == 0 else None, marker="o", markersize=2)
    ax.axvline(budget.lambda_zero_step, color="grey", linestyle=":", linewidth=1, label="lambda reaches 0")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def save_lens_grid(run_dir: Path, path: Path) -> Path | None:
    """One pair of rows per kept checkpoint, first at the top: 8 samples from fixed codes, then 8 real images
    through the lens (the paper's Figs. 5, 8-10)."""
    config, _ = read_run(run_dir)
    data = latentgan.api.load_data(config)
    reals = data.batch(torch.arange(8))[0]
    rows = []
    for ckpt in list_checkpoints(checkpoints_dir(run_dir)):
        model = latentgan.load(run_dir, checkpoint=ckpt)
        with torch.no_grad():
            rows += [model.sample(8, generator=torch.Generator().manual_seed(0)), model.apply_lens(reals)]
    if not rows:
        return None
    return save_image_grid(to_unit_range(torch.cat(rows), tuple(config.data.value_range)), path, nrow=8)


def lens_figures(runs: dict[str, list[Path]], budget: LensBudget, out: Path, prefix: str = "fid_",
                 ylabel: str = "classifier FID") -> list[Path]:
    """The metric over steps, the lens's error over steps, and seed 0's grids of every lensed arm."""
    out = Path(out)
    figures = [save_curves(runs, out / f"{prefix.strip('_')}-over-steps.png", budget, prefix, ylabel)]
    lensed = {arm: dirs for arm, dirs in runs.items() if metric_curve(dirs[0], "lens_recon")}
    if lensed:
        figures.append(save_curves(lensed, out / "lens-error-over-steps.png", budget, "lens_recon",
                                   "lens error ||x - L(x)||^2 per pixel"))
    for arm, dirs in lensed.items():
        figures.append(save_lens_grid(dirs[0], out / f"grid-{Arm(arm).slug}.png"))
    return [f for f in figures if f is not None]


def recipe_note(recipe: tuple[str, ...], budget: LensBudget) -> str:
    """The card's note listing the overrides of every run: the card's recipe, then the tier's (later keys win)."""
    return "Recipe (later keys win): " + " ".join([*recipe, *budget.shared]) + "."


def common_departures(budget: LensBudget, tier: str) -> list[str]:
    """How every lens card's tier departs from the paper, and why."""
    out = ["FID on the library's mnist5k classifier features (`cfid`), not Inception features: compare ratios "
           f"with the paper's, not absolute values; {budget.eval_n:,} samples (paper: 4,096, 10k for WGAN-GP).",
           "The end point is the mean of the last three evaluations; the paper quotes best runs and best samples.",
           f"Lens: {budget.lens_blocks} residual blocks of {budget.lens_width} maps plus the input skip (Fig. 4 has "
           "8 blocks and gives no width), Xavier-initialised, its own Adam at model.lr_d; reconstruction as the "
           "per-pixel mean (eq. 2 writes a sum; with the sum the lens stays at the identity, docs/results.md).",
           "Data: mnist5k (the 5,000 real digits the library ships), not the full MNIST."]
    if tier != "paper":
        out += [f"{budget.steps:,} optimizer steps per run instead of 10^5-10^6, K = {budget.k:,} scaled with the "
                "run (a quarter of it; paper K = 10k, Fig. 2): the end point after 10^5+ steps is out of reach on "
                "a 2-core CPU, so the card decides the nearest claim the paper also makes, the FID some steps "
                "after lambda reaches 0 (Fig. 6: the lens run 'soon catches up and surpasses').",
                "28 px digits (paper 32 px), so the DCGAN has two stride-2 layers of 16 and 32 maps (paper tier: "
                "three, 32-64-128): a 2-core CPU."]
    return out


def lens_card(name: str, claim: str, recipe: tuple[str, ...], runs: dict[str, list[Path]], budget: LensBudget,
              settings: ExperimentSettings, *, verdict: str, decisions: list[Decision], paper_number: str,
              departures: list[str] | None = None, budget_note: str = "", notes: tuple[str, ...] = (),
              prefix: str = "fid_", label: str = "cFID", ylabel: str = "classifier FID") -> Path:
    """Write the card every lens experiment ends with: one row per arm, the curves and lens grids, the tier's
    departures (common_departures unless given), the budget, the card's own notes and the recipe."""
    card = Card(name=name, paper=PAPER, claim=claim, verdict=verdict, reproduced=None,
                rows=arm_rows(runs, budget, prefix, label),
                figures=lens_figures(runs, budget, settings.out_dir, prefix, ylabel),
                decisions=decisions, paper_number=paper_number,
                departures=common_departures(budget, settings.budget) if departures is None else departures,
                notes=[f"Budget: {budget.describe()}{budget_note}.", *notes, recipe_note(recipe, budget)])
    return finish_card(card, settings)
