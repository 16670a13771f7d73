"""Issue 23's switches on mnist5k: per arm and seed, k-NN in the codes vs 3-d PCA, 16-d class agreement by the
invariant classifier, reconstruction MSE, saturated code coordinates and the pair discriminator's accuracy (one
JSON line each, with the run's wall and CPU seconds).

    OMP_NUM_THREADS=1 python scripts/ive_batching_study.py --steps 400 --seeds 0 1 --out /tmp/ive-study
    OMP_NUM_THREADS=1 python scripts/ive_batching_study.py --latent-dim 16 --steps 800 --seeds 0 1 2 \
        --arms default "joint G batch + paper init" "reconstruction term" --out /tmp/ive-study
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

import latentgan
from latentgan.evaluation import evaluate_run
from latentgan.experiments.ive_common import (
    IVE_MNIST,
    ImageBudget,
    code_space_rows,
    invariant_agreement,
    test_images,
    train_image_run,
)
from latentgan.experiments.registry import ExperimentSettings

# Weight of the reconstruction term in its arm: chosen by the one-seed pilot recorded in docs/results.md (issue 23,
# helper ive3).
RECON_WEIGHT = 10.0
ARMS = {"default": [],
        "separate G batch, He (before)": [],  # the default, under the name the first 400-step check used
        "joint G batch": ["model.g_batch=joint"],
        "paper init": ["model.init=paper"],
        "joint G batch + paper init": ["model.g_batch=joint", "model.init=paper"],
        "separate D batch": ["model.d_batch=separate"],
        "code moments 1": ["model.code_moments=1"],
        "mismatched pairs": ["model.mismatched_pairs=true"],
        "reconstruction term": [f"model.recon_weight={RECON_WEIGHT:g}"]}


def score(run_dir: Path, n: int) -> dict:
    """k-NN in the codes and in 3-d PCA, invariant class agreement, saturation, pair accuracy and MSE of one run."""
    rows, _ = code_space_rows({"ive": run_dir}, 4000, n)
    knn = {r["space"]: r["k-NN (k=10) accuracy"] for r in rows}
    metrics = evaluate_run(run_dir, "code_saturation,pair_accuracy", n=n, device="cpu")["metrics"]
    x, _, _ = test_images(run_dir, n)
    mse = float((latentgan.load(run_dir).reconstruct(x) - x).pow(2).mean())
    pick = lambda prefix: next(v for k, v in metrics.items() if k.startswith(prefix + "@"))  # noqa: E731
    return {"knn": knn["ive"], "knn_pca": knn["PCA, 3-d"], "agreement_invariant": invariant_agreement(run_dir, n),
            "code_saturation": pick("code_saturation"), "pair_accuracy": pick("pair_accuracy"), "recon_mse": mse}


def main() -> None:
    """Train every seed and arm, seed by seed (reusing finished runs), and print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--width", type=float, default=0.25)
    parser.add_argument("--latent-dim", type=int, default=3)
    parser.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    parser.add_argument("--extra", nargs="*", default=[], help="overrides added to every arm (pilots)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    budget = ImageBudget("mnist5k", args.steps, 64, args.width, 1000, len(args.seeds), ali_width=args.width)
    settings = ExperimentSettings(args.out, device="cpu")
    # Seed by seed: a study cut short still has every arm on the seeds it finished.
    for seed in args.seeds:
        for arm in args.arms:
            slug = "".join(c if c.isalnum() else "-" for c in " ".join([arm, *args.extra]))
            out = args.out / (f"{args.latent_dim}d" if args.latent_dim != 3 else "") / slug / f"s{seed}"
            wall, cpu = time.time(), time.process_time()
            run = train_image_run([*IVE_MNIST, *ARMS[arm], *args.extra], budget, args.latent_dim, args.width, seed,
                                  out, settings)
            result = score(run, 1000)
            print(json.dumps({"arm": arm, "extra": args.extra, "latent_dim": args.latent_dim, "seed": seed,
                              "steps": args.steps, **result, "wall_s": round(time.time() - wall),
                              "cpu_s": round(time.process_time() - cpu)}), flush=True)


if __name__ == "__main__":
    main()
