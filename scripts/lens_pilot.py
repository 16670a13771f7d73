"""Pilot runs for the lens cards' cpu tier: named arms x seeds, classifier FID every `--every` steps, one table.

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python scripts/lens_pilot.py --arms ns ns+lens --seeds 0 --steps 2000 --k 500
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

import latentgan
from latentgan.config import load_config

BASE = ["model.name=gan", "data.name=mnist5k", "data.split=all", "model.width=16", "model.latent_dim=100",
        "model.lr_g=1e-4", "model.lr_d=1e-4", "model.betas=[0.5, 0.999]", "model.init=xavier", "train.batch_size=32"]
LOSSES = {"ns": ["model.loss=ns"],
          "lsgan-sigmoid": ["model.loss=lsgan-sigmoid", "model.g_batch_norm=false", "model.d_batch_norm=false"],
          "lsgan": ["model.loss=lsgan", "model.g_batch_norm=false", "model.d_batch_norm=false"],
          "wgan-gp": ["model.loss=wgan-gp", "model.d_steps=5", "model.betas=[0.5, 0.9]", "model.lr_g=2e-4",
                      "model.lr_d=2e-4"],
          "ns-lr1e-3": ["model.loss=ns", "model.lr_g=1e-3", "model.lr_d=1e-3"],
          "ns-nobn": ["model.loss=ns", "model.g_batch_norm=false", "model.d_batch_norm=false"]}


def overrides(arm: str, k: int, lens_width: int, blocks: int) -> list[str]:
    """'LOSS' or 'LOSS+lens[-sum|-id|-fixed]' as config overrides."""
    loss, _, lens = arm.partition("+")
    out = [*BASE, *LOSSES[loss]]
    if lens:
        spec = {"k": k, "width": lens_width, "blocks": blocks}
        spec.update({"reconstruction": "sum"} if "sum" in lens else {})
        spec.update({"init": "identity"} if "id" in lens else {})
        spec.update({"fixed_lambda": 1.0} if "fixed" in lens else {})
        out.append(f"model.lens={json.dumps(spec)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--k", type=int, default=500)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--lens-width", type=int, default=8)
    parser.add_argument("--blocks", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("runs/pilot"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    for arm in args.arms:
        for seed in args.seeds:
            out = args.out / arm / f"seed{seed}"
            cfg = load_config(None, [*overrides(arm, args.k, args.lens_width, args.blocks),
                                     f"train.steps={args.steps}", f"train.seed={seed}", "train.device=cpu",
                                     f"train.eval_every={args.every}", "train.eval_metrics=[cfid]",
                                     f"train.eval_n={args.n}", f"train.checkpoint_every={args.steps}",
                                     f"train.sample_every={args.steps}", "train.log_every=50",
                                     "train.keep_checkpoints=1", "train.progress=false"])
            if not (out / "metrics.jsonl").exists():
                latentgan.train(cfg, out=out, log=lambda m: None)
            records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
            fids = [(r["step"], v) for r in records for key, v in r.items() if key.startswith("fid_")]
            print(f"{arm} seed {seed}: " + " ".join(f"{s}:{v:.0f}" for s, v in fids), flush=True)


if __name__ == "__main__":
    main()
