"""Floating-point operations of one training step of any config (PyTorch's FlopCounterMode), and the step time
on this machine: what a budget costs, and how far a device that runs it at a given rate would take it.

    .venv/bin/python bench/step_flops.py --config ive-ring --set model.latent_dim=16 ... [--batch 512] [--time]

The count covers every update of one `training_step` (all players) on one batch; --time also measures that
step (median of three, after one warm-up).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=None, help="a config name or YAML file (default: the built-in defaults)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config overrides")
    parser.add_argument("--batch", type=int, help="train.batch_size (default: the config's)")
    parser.add_argument("--time", action="store_true", help="also time the step on this machine")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    overrides = [*args.set, "train.device=cpu"] + ([f"train.batch_size={args.batch}"] if args.batch else [])
    config = load_config(args.config, overrides)
    data = load_data(config)
    model = build_model(config, data_shape_of(data), seed=0).train()
    model.initialize(data)
    batch = data.batch(torch.arange(min(config.train.batch_size, len(data))))
    with FlopCounterMode(display=False) as counter:
        model.training_step(batch, 0)
    flops = counter.get_total_flops()
    line = f"{config.model.name} on {config.data.name}, batch {len(batch[0])}: {flops / 1e9:.1f} GFLOP a step"
    if args.time:
        seconds = []
        for _ in range(4):
            start = time.perf_counter()
            model.training_step(batch, 0)
            seconds.append(time.perf_counter() - start)
        step = statistics.median(seconds[1:])
        line += f", {step:.3f} s a step here ({flops / step / 1e9:.0f} GFLOP/s, {args.threads} threads)"
    print(line)


if __name__ == "__main__":
    main()
