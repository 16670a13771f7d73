"""Throughput of one `latentgan train` job as the number of torchrun processes grows, side by side.

    .venv/bin/python bench/scaling.py [--procs 1,2] [--steps 200] [--batch 64] [--threads 1] [--device cpu]

Each world size trains the same DCGAN (width 32, digits at 32 px, batch per process --batch) under
`python -m torch.distributed.run --nproc_per_node N`; the job's images/second is rank 0's logged rate times N
(every process trains on its own batch), taken as the median of the log windows after the first. Also printed:
the bytes of gradients averaged per step, the quantity that sets communication cost at larger scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config

CONFIG = ["model.name=gan", "model.width=32", "model.latent_dim=64", "data.name=digits", "data.resize=32"]


def gradient_bytes(batch: int) -> int:
    """Bytes of all gradients one step averages (every optimizer's parameters, float32)."""
    config = load_config(None, [*CONFIG, f"train.batch_size={batch}"])
    model = build_model(config, data_shape_of(load_data(config)), seed=0)
    return sum(p.numel() * p.element_size() for opt in model.optimizers.values()
               for group in opt.param_groups for p in group["params"])


def job_throughput(procs: int, steps: int, batch: int, threads: int, device: str, out: Path) -> float:
    """Images per second of a whole torchrun job of `procs` processes."""
    log_every = max(10, steps // 10)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(procs),
               "-m", "latentgan.cli", "train", "--out", str(out),
               *[a for kv in CONFIG for a in ("--set", kv)], "--steps", str(steps),
               "--set", f"train.batch_size={batch}", "--set", f"train.device={device}",
               "--set", "train.progress=false", "--set", f"train.log_every={log_every}",
               "--set", f"train.sample_every={steps * 10}", "--set", f"train.checkpoint_every={steps * 10}"]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the {procs}-process job failed:\n{result.stderr[-2000:]}")
    lines = [json.loads(s) for s in (out / "metrics.jsonl").read_text().splitlines()]
    rates = [r["images_per_sec"] for r in lines if "images_per_sec" in r][1:]  # first window: warm-up
    return statistics.median(rates) * procs


def main() -> None:
    """Run one job per world size and print images/second and the speed-up over one process."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--procs", default="1,2")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--batch", type=int, default=64, help="batch per process")
    p.add_argument("--threads", type=int, default=1, help="OMP threads per process")
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    print(f"DCGAN width 32, digits 32 px, batch {args.batch} per process, {args.threads} thread(s) per process, "
          f"device {args.device}, torch {torch.__version__}; gradients averaged per step: "
          f"{gradient_bytes(args.batch) / 1e6:.2f} MB")
    print(f"{'processes':>9} {'job img/s':>10} {'speed-up':>9} {'efficiency':>11}")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for procs in (int(n) for n in args.procs.split(",")):
            rate = job_throughput(procs, args.steps, args.batch, args.threads, args.device, Path(tmp) / f"p{procs}")
            base = base or rate / procs
            print(f"{procs:>9} {rate:10.1f} {rate / base:8.2f}x {100 * rate / base / procs:10.1f}%")


if __name__ == "__main__":
    main()
