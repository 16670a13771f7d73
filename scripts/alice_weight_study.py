"""Issue 24's ALICE weight study: config ali-mnist (maps x 0.25, batch 64) with a ladder of recon_weight values,
one JSON line per arm and seed with class agreement of reconstructions (from the code's mean and from one sampled
code), MSE, classifier FID of samples, encoder sigma and wall/CPU time.

    OMP_NUM_THREADS=1 nice -n 10 python scripts/alice_weight_study.py --data mnist5k --steps 1500 --seeds 0 1 2 \
        --arms plain alice-1 alice-3 alice-10 --out /tmp/alice-study >> study.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

import latentgan
from latentgan.api import load_data
from latentgan.data.base import to_unit_range
from latentgan.evaluation import evaluate_run
from latentgan.experiments.ali_common import AliBudget, first, flat, train_ali_image_run
from latentgan.experiments.registry import ExperimentSettings
from latentgan.metrics.builtin import CLASSIFIER_FOR
from latentgan.metrics.classifier import load_classifier
from latentgan.nn.eval_mode import eval_mode
from latentgan.train.metrics_log import MetricsLog
from latentgan.train.run_dir import read_run

ARMS = {"packaged": [],  # the config as packaged (e.g. alice-fashion)
        "plain": ["model.recon_weight=0"],
        "alice-1": ["model.recon_weight=1"],
        "alice-3": ["model.recon_weight=3"],
        "alice-10": ["model.recon_weight=10"],
        "alice-30": ["model.recon_weight=30"],
        "paper-init": ["model.recon_weight=0", "model.init=normal", "model.output_bias=data"],
        "paper-init-channel": ["model.recon_weight=0", "model.init=normal", "model.output_bias=channel"],
        "simultaneous": ["model.recon_weight=0", "model.update=simultaneous"],
        "one-batch-d": ["model.recon_weight=0", "model.d_batch=joint"]}


@torch.no_grad()
def sampled_code_agreement(run_dir: Path, n: int) -> float:
    """Share of the first n test images whose G_x(z), z ~ q(z | x) (one draw, seed 0), keeps the class."""
    model = latentgan.load(run_dir)
    config, _ = read_run(run_dir)
    config.data.split = "test"
    test = load_data(config)
    x, y, _ = test.batch(torch.arange(n))
    classifier = load_classifier(CLASSIFIER_FOR[config.data.name], resolution=x.shape[-1], device="cpu")
    generator = torch.Generator().manual_seed(0)
    with eval_mode(model):
        recon = torch.cat([model.decode(model.infer(part, generator=generator)) for part in x.split(250)])
    value_range = tuple(test.value_range)
    labels = torch.as_tensor(classifier.predict(to_unit_range(recon, value_range))).long()
    return float((labels == y.long()).float().mean())


def score(run_dir: Path, n: int, probe: bool) -> dict:
    """The study's measures of one trained run."""
    metrics = flat(evaluate_run(run_dir, "recon,cfid,encoder_sigma" + (",probe" if probe else ""), n=n,
                                device="cpu")["metrics"])
    result = {"agreement": first(metrics, "reconstruction_class_agreement@"),
              "agreement_sampled": sampled_code_agreement(run_dir, n),
              "mse": first(metrics, "reconstruction_mse@"), "cfid": first(metrics, "fid_classifier-"),
              "sigma_median": first(metrics, "encoder_sigma_median@"),
              "sigma_below_0.1": first(metrics, "encoder_sigma_below_0.1@"),
              "classifier_accuracy": first(metrics, "classifier_accuracy_originals@")}
    losses = [r for r in MetricsLog(run_dir / "metrics.jsonl").read() if r.get("d_loss") is not None]
    result["last_d_loss"] = losses[-1]["d_loss"] if losses else None  # near 0: D wins outright
    if probe:
        for kind in ("hidden", "pixels"):
            result[f"probe_{kind}"] = first(metrics, f"probe_linear_{kind}@")
            # first() skips std keys, so the spread over label subsets is looked up by its own prefix.
            std = f"probe_linear_{kind}_std@"
            result[f"probe_{kind}_std"] = next(v for k, v in metrics.items() if k.startswith(std))
    return result


def main() -> None:
    """Train every arm and seed (reusing finished runs) and print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="mnist5k")
    parser.add_argument("--config", default="ali-mnist", help="the packaged config every arm starts from")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--arms", nargs="+", default=["plain", "alice-1", "alice-3", "alice-10"])
    parser.add_argument("--set", action="append", default=[], help="an extra override for every arm, KEY=VALUE")
    parser.add_argument("--probe", action="store_true", help="also the linear probe (slower)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    budget = AliBudget(args.steps, 64, len(args.seeds), tuple(args.set))
    for arm in args.arms:
        settings = ExperimentSettings(args.out / args.data / arm, device="cpu")
        for seed in args.seeds:
            wall, cpu = time.time(), time.process_time()
            run = train_ali_image_run(settings, args.data, budget, seed, tuple(ARMS.get(arm, [arm])), args.config)
            trained = {"train_wall_s": round(time.time() - wall), "train_cpu_s": round(time.process_time() - cpu)}
            row = score(run, args.n, args.probe)
            row = {"data": args.data, "config": args.config, "arm": arm, "seed": seed, "steps": args.steps, **row,
                   **trained, "total_cpu_s": round(time.process_time() - cpu)}
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
