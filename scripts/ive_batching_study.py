"""Issue 23's switches on mnist5k 3-d codes: k-NN in the codes vs 3-d PCA, saturated code coordinates, the pair
discriminator's accuracy and reconstruction MSE, per arm and seed (one JSON line each).

    OMP_NUM_THREADS=1 python scripts/ive_batching_study.py --steps 400 --seeds 0 1 --out /tmp/ive-study
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

import latentgan
from latentgan.evaluation import evaluate_run
from latentgan.experiments.ive_common import IVE_MNIST, ImageBudget, code_space_rows, test_images, train_image_run
from latentgan.experiments.registry import ExperimentSettings

ARMS = {"separate G batch, He (before)": [],
        "joint G batch": ["model.g_batch=joint"],
        "paper init": ["model.init=paper"],
        "joint G batch + paper init": ["model.g_batch=joint", "model.init=paper"]}


def score(run_dir: Path, n: int) -> dict:
    """k-NN gap to PCA, saturation, pair accuracy and reconstruction MSE of one 3-d run."""
    rows, _ = code_space_rows({"ive": run_dir}, 4000, n)
    knn = {r["space"]: r["k-NN (k=10) accuracy"] for r in rows}
    metrics = evaluate_run(run_dir, "code_saturation,pair_accuracy", n=n, device="cpu")["metrics"]
    x, _, _ = test_images(run_dir, n)
    mse = float((latentgan.load(run_dir).reconstruct(x) - x).pow(2).mean())
    pick = lambda prefix: next(v for k, v in metrics.items() if k.startswith(prefix + "@"))  # noqa: E731
    return {"knn": knn["ive"], "knn_pca": knn["PCA, 3-d"], "code_saturation": pick("code_saturation"),
            "pair_accuracy": pick("pair_accuracy"), "recon_mse": mse}


def main() -> None:
    """Train every arm and seed (reusing finished runs) and print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--width", type=float, default=0.25)
    parser.add_argument("--arms", nargs="+", default=list(ARMS))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    budget = ImageBudget("mnist5k", args.steps, 64, args.width, 1000, len(args.seeds), ali_width=args.width)
    settings = ExperimentSettings(args.out, device="cpu")
    for arm in args.arms:
        for seed in args.seeds:
            slug = "".join(c if c.isalnum() else "-" for c in arm)
            run = train_image_run([*IVE_MNIST, *ARMS[arm]], budget, 3, args.width, seed, args.out / slug / f"s{seed}",
                                  settings)
            print(json.dumps({"arm": arm, "seed": seed, "steps": args.steps, **score(run, 1000)}), flush=True)


if __name__ == "__main__":
    main()
