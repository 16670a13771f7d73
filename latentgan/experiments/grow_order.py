"""Latent order of the five growing CNN GANs (Sandström 2019, sec. 7.2, Figures 10-27): two cards.

`grow-order` trains bGAN, bgGAN, cgGAN, lgGAN and clgGAN for equal epochs on Fashion-MNIST padded to 32 px and
measures how much each latent block (1-8, 9-16, 17-32, 33-64) changes the images (the latent-order metric, the
number behind the thesis' random walks), the classifier FID, parameters over training and wall-clock time.
`grow-dim8` sets a bGAN with an 8-d latent space beside clgGAN's first block (Figure 20).
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

import latentgan
from latentgan.config import load_config
from latentgan.data.base import to_unit_range
from latentgan.experiments.card import Card
from latentgan.experiments.registry import ExperimentSettings, register_experiment
from latentgan.experiments.runs import train_or_continue
from latentgan.metrics.latent_order import default_blocks, latent_order
from latentgan.nn.eval_mode import eval_mode
from latentgan.viz.grid import save_image_grid
from latentgan.viz.interpolation import interpolate_codes
from latentgan.viz.save import new_figure, save_figure

PAPER = "Sandström. Latent Space Growing of Generative Adversarial Networks. MSc thesis, KTH, 2019 (sec. 7.2)"
ORDER_CLAIM = ("Grown latent spaces are ordered: resampling latent block 1-8 changes the images more than resampling "
               "the last block for bgGAN, cgGAN and clgGAN (ratio > 1, strongest for clgGAN) but not for bGAN and "
               "lgGAN (ratio <= 1); clgGAN reaches an FID within 10% of lgGAN's at equal epochs and trains faster.")
DIM8_CLAIM = ("A bGAN with an 8-d latent space varies more over its whole latent space than clgGAN does over its "
              "first block 1-8, at a significant cost in image quality (Figure 20).")
VARIANTS = ["bgan", "bggan", "cggan", "lggan", "clggan"]
GROWN, BASELINES = ("bggan", "cggan", "clggan"), ("bgan", "lggan")
AXES = [1, 2, 5, 40, 60]  # the thesis walks axes 1, 2, 5, 90, 195, 250 of 256; here of 64


@dataclass(frozen=True)
class Budget:
    """Steps per stable phase and per fade-in (4 stages), seeds per variant, FID sample count."""

    stable_steps: int
    fade_steps: int
    seeds: int
    eval_n: int

    @property
    def total_steps(self) -> int:
        """Equal epochs for every variant: the length of the four-stage schedule."""
        return self.stable_steps + 3 * (self.fade_steps + self.stable_steps)


# Full: the thesis' 4 epochs per phase at batch 16 on 60,000 images (3,750 steps per epoch).
FULL, QUICK = Budget(15_000, 15_000, 3, 5000), Budget(40, 40, 1, 1000)


def train_variant(name: str, budget: Budget, seed: int, settings: ExperimentSettings, extra: list[str] | None = None,
                  label: str | None = None) -> Path:
    """Train one variant for the budget with periodic cFID, or reuse / continue the run in the output directory."""
    total = budget.total_steps
    out = Path(settings.out_dir) / (label or name) / f"seed{seed}"
    evals = total if settings.quick else total // 4
    overrides = [f"model.name={name}", f"model.stable_steps={budget.stable_steps}",
                 f"model.fade_steps={budget.fade_steps}", *(extra or []), f"train.steps={total}",
                 f"train.seed={seed}", f"train.eval_every={evals}", 'train.eval_metrics=["cfid"]',
                 f"train.eval_n={budget.eval_n}", f"train.checkpoint_every={evals}", f"train.sample_every={total}",
                 f"train.log_every={max(total // 40, 1)}", "train.keep_checkpoints=1", "train.progress=false",
                 f"train.device={settings.device}"]
    return train_or_continue(load_config("grow-fashion", overrides), out)


def read_records(run_dir: Path) -> list[dict]:
    """The run's metrics.jsonl as a list of dicts."""
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def _last(records: list[dict], prefix: str) -> float | None:
    values = [float(v) for r in records for k, v in r.items() if k.startswith(prefix) and isinstance(v, (int, float))]
    return values[-1] if values and math.isfinite(values[-1]) else None


def measure_run(run_dir: Path, blocks: list[tuple[int, int]] | None = None) -> dict:
    """Latent order per block and first/last ratio, final cFID, wall-clock seconds of one trained run."""
    model = latentgan.load(run_dir)
    with torch.no_grad():
        order = latent_order(model.decode, model.config.latent_dim, blocks, n_references=16, n_resamples=16)
    records = read_records(run_dir)
    return {**order, "fid": _last(records, "fid_"), "wall_sec": _last(records, "wall_sec")}


def block_walk(decode, latent_dim: int, block: tuple[int, int], points: int = 5, steps: int = 4,
               seed: int = 0) -> Tensor:
    """Figs. 10-19: `points` codes differing only in one block (1-based, inclusive), linearly interpolated in turn."""
    gen = torch.Generator().manual_seed(seed)
    codes = torch.randn(1, latent_dim, generator=gen).repeat(points, 1)
    codes[:, block[0] - 1:block[1]] = torch.randn(points, block[1] - block[0] + 1, generator=gen)
    path = torch.cat([interpolate_codes(a, b, steps + 1)[:-1] for a, b in zip(codes[:-1], codes[1:], strict=True)]
                     + [codes[-1:]])
    with torch.no_grad():
        return decode(path)


def axis_walk(decode, latent_dim: int, axis: int, points: int = 8, seed: int = 0) -> Tensor:
    """Figs. 21-26: one coordinate of a unit-length code set to +-2 prior std (+-2/sqrt(d)), the rest fixed."""
    code = torch.randn(latent_dim, generator=torch.Generator().manual_seed(seed))
    codes = (code / code.norm()).repeat(points, 1)
    codes[:, axis - 1] = torch.linspace(-2.0, 2.0, points) / math.sqrt(latent_dim)
    with torch.no_grad():
        return decode(codes)  # decode renormalises to unit length, as the prior's codes are


def save_walk_figures(run_dir: Path, out: Path, label: str, axes: list[int]) -> list[Path]:
    """Block random walks (one row per block) and coordinate-axis walks (one row per axis) of a trained run."""
    model = latentgan.load(run_dir)
    dim = model.config.latent_dim
    with eval_mode(model):
        # An 8-d space is walked as a whole (Fig. 20); larger ones block by block (Figs. 10-19).
        blocks = [block_walk(model.decode, dim, b) for b in (default_blocks(dim) if dim > 8 else [(1, dim)])]
        paths = [save_image_grid(to_unit_range(torch.cat(blocks), (-1.0, 1.0)), out / f"walk-blocks-{label}.png",
                                 nrow=len(blocks[0]))]
        axes = [a for a in axes if a <= dim]
        if axes:
            walks = torch.cat([axis_walk(model.decode, dim, a) for a in axes])
            paths.append(save_image_grid(to_unit_range(walks, (-1.0, 1.0)), out / f"walk-axes-{label}.png", nrow=8))
    return paths


def save_params_figure(runs: dict[str, Path], path: Path) -> Path:
    """Figure 27: active parameters of G and D over training, one line per variant."""
    fig = new_figure(5.0, 3.2)
    ax = fig.subplots()
    for name, run in runs.items():
        points = [(r["step"], r["params_active"]) for r in read_records(run) if "params_active" in r]
        if points:
            ax.plot(*zip(*points, strict=True), label=name, linewidth=1.2)
    ax.set_xlabel("step")
    ax.set_ylabel("parameters in use (G + D)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def _mean(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None and not math.isnan(v)]  # inf (a dead last block) counts
    return statistics.mean(values) if values else None


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _budget(settings: ExperimentSettings) -> Budget:
    budget = QUICK if settings.quick else FULL
    return Budget(budget.stable_steps, budget.fade_steps, settings.seeds, budget.eval_n) if settings.seeds else budget


@register_experiment("grow-order", PAPER, ORDER_CLAIM)
def grow_order(settings: ExperimentSettings) -> Path:
    """Train the five variants over seeds, measure latent order, cFID, parameters and time; write the card."""
    budget, out = _budget(settings), Path(settings.out_dir)
    results: dict[str, list[dict]] = {}
    first_runs: dict[str, Path] = {}
    figures: list[Path] = []
    for name in VARIANTS:
        results[name] = []
        for seed in range(budget.seeds):
            settings.log(f"grow-order: {name}, seed {seed}")
            run = train_variant(name, budget, seed, settings)
            results[name].append(measure_run(run))
            if seed == 0:
                first_runs[name] = run
                figures += save_walk_figures(run, out, name, AXES if name in ("clggan", "bgan") else [])
    figures.insert(0, save_params_figure(first_runs, out / "params.png"))
    return _order_card(results, first_runs, budget, settings, figures).write(out)


def _order_rows(results: dict[str, list[dict]], first_runs: dict[str, Path]) -> list[dict]:
    rows = []
    for name, runs in results.items():
        keys = [k for k in runs[0] if k.startswith("latent_order_block")]
        params = [r["params_active"] for r in read_records(first_runs[name]) if "params_active" in r]
        row = {"variant": name, "seeds": len(runs)}
        row.update({k.removeprefix("latent_order_block_"): _fmt(_mean([r[k] for r in runs])) for k in keys})
        row.update({"first/last ratio": _fmt(_mean([r["latent_order_first_last_ratio"] for r in runs])),
                    "per-seed ratio": ", ".join(_fmt(r["latent_order_first_last_ratio"]) for r in runs),
                    "final cFID": _fmt(_mean([r["fid"] for r in runs]), 4),
                    "wall-clock s": _fmt(_mean([r["wall_sec"] for r in runs]), 4),
                    "params at start / end": f"{int(params[0]):,} / {int(params[-1]):,}" if params else "-"})
        rows.append(row)
    return rows


def _order_verdict(results: dict[str, list[dict]]) -> tuple[str, bool]:
    ratio = {n: _mean([r["latent_order_first_last_ratio"] for r in runs]) or math.nan for n, runs in results.items()}
    fid = {n: _mean([r["fid"] for r in runs]) for n, runs in results.items()}
    wall = {n: _mean([r["wall_sec"] for r in runs]) for n, runs in results.items()}
    ordered = all(ratio[n] > 1 for n in GROWN) and all(ratio[n] <= 1 for n in BASELINES)
    strongest = ratio["clggan"] >= max(ratio[n] for n in GROWN)
    fid_ok = fid["clggan"] is not None and fid["lggan"] is not None and fid["clggan"] <= 1.1 * fid["lggan"]
    faster = wall["clggan"] is not None and wall["lggan"] is not None and wall["clggan"] < wall["lggan"]
    text = (f"first/last ratio: {', '.join(f'{n} {ratio[n]:.2f}' for n in VARIANTS)} (grown > 1: "
            f"{'yes' if all(ratio[n] > 1 for n in GROWN) else 'no'}; baselines <= 1: "
            f"{'yes' if all(ratio[n] <= 1 for n in BASELINES) else 'no'}; clgGAN strongest: "
            f"{'yes' if strongest else 'no'}); cFID clgGAN {_fmt(fid['clggan'], 4)} vs lgGAN {_fmt(fid['lggan'], 4)} "
            f"(within 10%: {'yes' if fid_ok else 'no'}); wall-clock clgGAN {_fmt(wall['clggan'], 4)} s vs lgGAN "
            f"{_fmt(wall['lggan'], 4)} s (faster: {'yes' if faster else 'no'}).")
    return text, ordered and strongest and fid_ok and faster


def _order_card(results, first_runs, budget: Budget, settings: ExperimentSettings, figures: list[Path]) -> Card:
    verdict, met = _order_verdict(results)
    if settings.quick:
        verdict += (" Quick budget: each stage trains only a few dozen steps, so late latent blocks have barely "
                    "been trained in the grown models and the images are far from converged; this cannot decide.")
    notes = [
        f"Budget: 4 stages, {budget.stable_steps} stable + {budget.fade_steps} fade-in steps per stage (stage 0: "
        f"{budget.stable_steps} steps), {budget.total_steps} steps of batch 16 for every variant (equal epochs), "
        f"{budget.seeds} seed(s)" + (" — quick mode." if settings.quick else " (the thesis' 4 + 4 epochs per stage)."),
        "Latent order: mean per-pixel std over 16 resamplings of one block around each of 16 reference codes "
        "(`latentgan.metrics.latent_order`); codes are 64-d standard Gaussians normalised to unit length, as the "
        "prior. The ratio is block 1-8 over block 33-64. The last block has 32 dimensions and the first 8, so a "
        "model without order is expected below 1.",
        f"cFID: Fréchet distance on the library's Fashion-MNIST classifier features, {budget.eval_n} samples (not "
        "Inception FID; compare variants, not absolute values with the thesis). Wall-clock: training time only "
        "(evaluation and checkpoints excluded) on the machine below; it moves with the machine's other load.",
        "Fashion-MNIST padded to 32 px stands in for CelebA 128 (six stages, latent 8 -> 256); architecture as the "
        "thesis' Tables 2-15 scaled to 4 levels: channels 64/32/16/8 at 4/8/16/32 px, latent 8 -> 64.",
        "Figures: parameters in use over training (Fig. 27; each point is the mean over a log window, so a jump "
        "shows as a short ramp); per variant one row per block 1-8, 9-16, 17-32, 33-64 "
        "(five codes differing only in that block, linearly interpolated; Figs. 10-19); for clgGAN and bGAN "
        f"coordinate-axis walks of axes {AXES} over +-2 prior std (Figs. 21-26). Seed 0.",
    ]
    return Card("grow-order", PAPER, ORDER_CLAIM, verdict, None if settings.quick else met,
                _order_rows(results, first_runs), notes, figures)


@register_experiment("grow-dim8", PAPER, DIM8_CLAIM)
def grow_dim8(settings: ExperimentSettings) -> Path:
    """bGAN with latent dim 8 beside clgGAN (64-d): variability of block 1-8 and cFID."""
    budget, out = _budget(settings), Path(settings.out_dir)
    results: dict[str, list[dict]] = {"bgan-dim8": [], "clggan": []}
    figures: list[Path] = []
    for seed in range(budget.seeds):
        settings.log(f"grow-dim8: seed {seed}")
        small = train_variant("bgan", budget, seed, settings, ["model.latent_dim=8"], label="bgan-dim8")
        grown = train_variant("clggan", budget, seed, settings)
        results["bgan-dim8"].append(measure_run(small, [(1, 8)]))
        results["clggan"].append(measure_run(grown, [(1, 8), (33, 64)]))
        if seed == 0:
            figures += save_walk_figures(small, out, "bgan-dim8", [])
            figures += save_walk_figures(grown, out, "clggan", [])
    variability = {n: _mean([r["latent_order_block_1-8"] for r in runs]) for n, runs in results.items()}
    fid = {n: _mean([r["fid"] for r in runs]) for n, runs in results.items()}
    more = variability["bgan-dim8"] > variability["clggan"]
    worse = None not in (fid["bgan-dim8"], fid["clggan"]) and fid["bgan-dim8"] > fid["clggan"]
    verdict = (f"variability of block 1-8: bGAN-8 {_fmt(variability['bgan-dim8'])} vs clgGAN "
               f"{_fmt(variability['clggan'])} (bGAN-8 more: {'yes' if more else 'no'}); cFID bGAN-8 "
               f"{_fmt(fid['bgan-dim8'], 4)} vs clgGAN {_fmt(fid['clggan'], 4)} (bGAN-8 worse: "
               f"{'yes' if worse else 'no'}).")
    if settings.quick:
        verdict += " Quick budget: far from converged; this cannot decide."
    rows = [{"model": n, "seeds": len(runs), "block 1-8 variability": _fmt(variability[n]),
             "final cFID": _fmt(fid[n], 4)} for n, runs in results.items()]
    notes = [f"Same budget as grow-order ({budget.total_steps} steps, {budget.seeds} seed(s)); bGAN-8 has the final "
             "network of every variant but an 8-d latent space (its prior: 8-d Gaussian normalised to unit length).",
             "Block 1-8 variability: the latent-order metric of block 1-8 (for bGAN-8 its whole latent space).",
             "Figures (seed 0): one row per latent block, five codes differing only in that block, interpolated."]
    return Card("grow-dim8", PAPER, DIM8_CLAIM, verdict, None if settings.quick else (more and worse), rows, notes,
                figures).write(out)
