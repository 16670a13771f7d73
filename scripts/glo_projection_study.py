"""Compare GLO's code projections, unit sphere vs unit ball, by reconstruction MSE (docs/glo-projection.md).

Trains GLO (Lap1 loss, PCA-initialised codes) on Fashion-MNIST at glo-recon's quick budget (1000 training
images, 2000 steps, width 16, d = 32, batch 64) once per projection and seed, and prints the train MSE (the
learned codes) and test MSE (codes from `encode`, 100 Adam steps) on the first 200 images of each split, as
glo-recon does, beside PCA's MSE at the same d.

Usage: .venv/bin/python scripts/glo_projection_study.py [--seeds 0 1] [--out /tmp/glo-projection] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from latentgan.experiments.glo_common import glo_errors, pca_errors, train_run
from latentgan.experiments.glo_recon import RECON_QUICK
from latentgan.experiments.registry import ExperimentSettings

PROJECTIONS = ("sphere", "ball")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--out", type=Path, default=Path("/tmp/glo-projection"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy 2-core box)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    budget, dataset = RECON_QUICK, RECON_QUICK.datasets[0]
    settings = ExperimentSettings(args.out, quick=True, device=args.device)
    pca_train, pca_test = pca_errors(dataset, budget)
    print(f"{dataset}, {budget}")
    print(f"PCA d={budget.latent_dim}: train {pca_train:.5f} test {pca_test:.5f}", flush=True)
    results: dict[str, list[tuple[float, float]]] = {p: [] for p in PROJECTIONS}
    print("| projection | seed | train MSE | test MSE | train / PCA | test / PCA | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for seed in args.seeds:
        for projection in PROJECTIONS:
            start = time.perf_counter()
            run = train_run("glo", dataset, budget, ["model.loss=lap1", "model.code_init=pca",
                                                  f"model.projection={projection}",
                                                  f"model.encode_steps={budget.invert_steps}", f"train.seed={seed}"],
                         args.out / f"{projection}-seed{seed}", settings)
            train, test = glo_errors(run, budget.eval_images)
            results[projection].append((train, test))
            print(f"| {projection} | {seed} | {train:.5f} | {test:.5f} | {train / pca_train:.3f} | "
                  f"{test / pca_test:.3f} | {time.perf_counter() - start:.0f} |", flush=True)
    print("\nMean over seeds:")
    for projection, rows in results.items():
        train = statistics.mean(r[0] for r in rows)
        test = statistics.mean(r[1] for r in rows)
        print(f"| {projection} | mean of {len(rows)} | {train:.5f} | {test:.5f} | {train / pca_train:.3f} | "
              f"{test / pca_test:.3f} | |")


if __name__ == "__main__":
    main()
