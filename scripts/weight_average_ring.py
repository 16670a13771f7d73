"""Measure what train.ema buys on the gan-ring config: each run's samples from the averaged and from the live
generator, scored by the VEEGAN/PacGAN counts (2,000 samples, 3 std), at several run lengths and seeds.

    python scripts/weight_average_ring.py --out /tmp/ema-ring --steps 1000,1500,3000 --seeds 0,1,2

The average starts halfway through each run (train.ema_start = steps / 2) with train.ema = 0.99.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

import latentgan
from latentgan.config import load_config
from latentgan.data.mixtures import ring_means
from latentgan.metrics.modes import mode_coverage

RING = torch.from_numpy(ring_means(8, 2.0)).float()


def score(model) -> dict[str, float]:
    """Mode count, high-quality share and mean distance to the nearest mode of 2,000 samples."""
    return mode_coverage(model.sample(2000, torch.Generator().manual_seed(0)), RING, std=0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", default="1000,1500,3000", help="comma-separated run lengths")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--decay", type=float, default=0.99, help="train.ema")
    args = parser.parse_args()
    print("steps  seed  modes avg/live  HQ % avg/live  distance avg/live")
    for steps in (int(s) for s in args.steps.split(",")):
        for seed in (int(s) for s in args.seeds.split(",")):
            config = load_config("gan-ring", [f"train.steps={steps}", "data.n_points=5000", f"train.seed={seed}",
                                              "train.sample_every=100000", f"train.checkpoint_every={steps}",
                                              "train.progress=false", "train.device=cpu", f"train.ema={args.decay}",
                                              f"train.ema_start={steps // 2}",
                                              f"train.out={args.out / f'steps{steps}_seed{seed}'}"])
            run = latentgan.train(config, log=lambda m: None)
            avg, live = score(latentgan.load(run)), score(latentgan.load(run, averaged=False))
            print(f"{steps:5d}  {seed:4d}  {avg['modes_captured']:5d} / {live['modes_captured']:<5d}  "
                  f"{100 * avg['high_quality_fraction']:5.1f} / {100 * live['high_quality_fraction']:<5.1f}  "
                  f"{avg['mean_distance_to_mode']:.3f} / {live['mean_distance_to_mode']:.3f}", flush=True)


if __name__ == "__main__":
    main()
