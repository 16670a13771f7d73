"""Search for ALI settings that meet the issue's grid-25 target (3-std count >= 24.5 of 25 modes, >= 95 % high-quality
samples, reverse KL <= 0.05 within 20,000 steps): train each named variant on the 25-Gaussian grid and print one
row per (variant, seed) beside the plain GAN with the same settings.

    python scripts/ali_grid_search.py --out /tmp/ali-search --steps 20000 --seeds 0 --jobs 2

Runs already finished in --out are reused, so the table can be redrawn or extended with more seeds cheaply.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

QUICK = ["model.hidden=[128,128,128]", "model.lr_g=0.0005", "model.lr_d=0.0005"]
DECAY = ["train.lr_decay=linear", "train.lr_decay_start={half}"]
# A weight average of encoder and decoder over the second half (train.ema; samples and codes use it).
EMA = ["train.ema=0.999", "train.ema_start={half}"]
VARIANTS = {
    "quick": ("ali-grid", QUICK),
    "quick + decay": ("ali-grid", QUICK + DECAY),
    "quick + decay + lr_d x2": ("ali-grid", QUICK + DECAY + ["model.lr_d=0.001"]),
    "quick + decay + dropout 0.2": ("ali-grid", QUICK + DECAY + ["model.d_dropout=0.2"]),
    "quick + decay + simultaneous": ("ali-grid", QUICK + DECAY + ["model.update=simultaneous"]),
    "paper sizes 400 + decay + lr 2e-4": ("ali-grid", DECAY + ["model.lr_g=0.0002", "model.lr_d=0.0002"]),
    "quick + decay from step 0": ("ali-grid", QUICK + ["train.lr_decay=linear"]),
    "quick + decay + batch 256": ("ali-grid", QUICK + DECAY + ["train.batch_size=256"]),
    "quick + decay + dropout 0.2 + lr 1e-3": ("ali-grid", QUICK + DECAY + ["model.d_dropout=0.2", "model.lr_g=0.001",
                                                                         "model.lr_d=0.001"]),
    "quick + decay + lr 2e-4": ("ali-grid", QUICK + DECAY + ["model.lr_g=0.0002", "model.lr_d=0.0002"]),
    "quick + decay + batch 512": ("ali-grid", QUICK + DECAY + ["train.batch_size=512"]),
    "quick + decay from step 0 + batch 256": ("ali-grid", QUICK + ["train.lr_decay=linear", "train.batch_size=256"]),
    "quick + decay + batch 256 + deterministic encoder": ("ali-grid", QUICK + DECAY + ["train.batch_size=256",
                                                                                   "model.encoder=deterministic"]),
    "sizes 400 + decay + batch 256 + lr 5e-4": ("ali-grid", DECAY + ["train.batch_size=256", "model.lr_g=0.0005",
                                                                     "model.lr_d=0.0005"]),
    "quick + decay + batch 256 + ema": ("ali-grid", QUICK + DECAY + ["train.batch_size=256", *EMA]),
    "quick + decay + batch 256 + ema + latent 8": ("ali-grid", QUICK + DECAY + ["train.batch_size=256", *EMA,
                                                                             "model.latent_dim=8"]),
    "GAN quick + decay": ("gan-grid", QUICK + DECAY),
    "GAN quick + decay + batch 256": ("gan-grid", QUICK + DECAY + ["train.batch_size=256"]),
    "GAN quick + decay + batch 256 + ema": ("gan-grid", QUICK + DECAY + ["train.batch_size=256", *EMA]),
}


def run_one(job: tuple[str, int, int, str]) -> dict:
    """Train (or reuse) one variant for one seed on a single thread and return its grid metrics."""
    import torch

    torch.set_num_threads(1)
    from latentgan.config import load_config
    from latentgan.experiments.ali_grid import evaluate_grid_run
    from latentgan.experiments.runs import train_or_continue

    name, seed, steps, out = job
    config_name, overrides = VARIANTS[name]
    overrides = [o.format(half=steps // 2) for o in overrides]
    config = load_config(config_name, [f"train.steps={steps}", *overrides, f"train.seed={seed}", "train.progress=false",
                                       f"train.checkpoint_every={steps}", f"train.sample_every={steps}",
                                       "train.device=cpu"])
    start = time.time()
    run = train_or_continue(config, Path(out) / name.replace(" ", "_") / f"seed{seed}")
    result = {"variant": name, "seed": seed, **evaluate_grid_run(run, seed), "seconds": round(time.time() - start)}
    (run / "grid_metrics.json").write_text(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated names from VARIANTS")
    parser.add_argument("--jobs", type=int, default=2, help="processes at once, one thread each")
    args = parser.parse_args()
    names = [n.strip() for n in args.variants.split(",")]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose from {list(VARIANTS)}")
    jobs = [(n, int(s), args.steps, str(args.out)) for n in names for s in args.seeds.split(",")]
    print(f"{'variant':38s} seed  modes(3std) HQ%    KL     ALI-count recon  code-KL  seconds")
    with ProcessPoolExecutor(args.jobs) as pool:
        for r in pool.map(run_one, jobs):
            print(f"{r['variant']:38s} {r['seed']:4d}  {r['modes_hq']:11d} {100 * r['hq']:5.1f}  {r['kl']:.3f}  "
                  f"{r['modes_ali']:9d} {r.get('recon_mse', float('nan')):.3f}  {r.get('code_kl', float('nan')):.3f}  "
                  f"{r['seconds']:7d}", flush=True)


if __name__ == "__main__":
    main()
