"""Print how far each GAN loss moves ring-8 samples toward the true means (docs/results.md).

Usage: python scripts/gan_ring_losses.py [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.data import IndexBatcher
from latentgan.metrics import mode_coverage

SETTINGS = {
    "ns": (2000, []),
    "minimax": (2000, []),
    "lsgan": (2000, []),
    "wgan-gp": (4000, ["model.d_steps=5", "model.betas=[0.5, 0.9]", "model.gp_weight=0.1"]),
}


def distance(model, data) -> float:
    """Mean distance of 2,500 samples (fixed codes) to the nearest true mean."""
    samples = model.sample(2500, generator=torch.Generator().manual_seed(1))
    return mode_coverage(samples, data.modes, data.mode_std)["mean_distance_to_mode"]


def run(loss: str, steps: int, extra: list[str], seed: int) -> tuple[float, float, float]:
    """Train one loss on ring-8; return (before, after, seconds)."""
    config = load_config(None, ["model.name=gan", f"model.loss={loss}", "model.latent_dim=2",
                                "model.hidden=[128, 128]", "model.lr_g=1e-3", "model.lr_d=1e-3",
                                "data.name=ring", "data.n_points=20000", *extra])
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=seed)
    batcher = IndexBatcher(len(data), 128, seed=seed)
    before, start = distance(model, data), time.time()
    for step in range(steps):
        model.training_step(data.batch(batcher.next()), step)
    return before, distance(model, data), time.time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| loss | steps | before | after | fall | seconds |\n| --- | --- | --- | --- | --- | --- |")
    for loss, (steps, extra) in SETTINGS.items():
        before, after, seconds = run(loss, steps, extra, args.seed)
        print(f"| {loss} | {steps} | {before:.3f} | {after:.3f} | {before / after:.1f}x | {seconds:.1f} |")


if __name__ == "__main__":
    main()
