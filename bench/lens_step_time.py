"""Step time of the paper's weak DCGAN with and without the tempering lens, measured side by side.

    .venv/bin/python bench/lens_step_time.py [--steps 30] [--rounds 5] [--lens-width 8] [--lens-blocks 8]
                                             [--batch 32] [--threads 1] [--channels-last] [--device cpu]

Both models train on the same mnist5k batch (32 px) in alternating rounds of `steps` steps, so a busy
machine slows both alike (on CUDA each round ends with a synchronize: kernels are timed, not launches); the
median seconds per step of each, the floating-point operations of one step
(PyTorch's FlopCounterMode) and both ratios are printed: the FLOP ratio is what a device that runs these small
convolutions at full efficiency would approach.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.devices import select_device
from latentgan.experiments.lens_common import WEAK_DCGAN


def _model(lens_width: int | None, batch: int, blocks: int = 8):
    extra = [f"model.lens={{k: 10000, width: {lens_width}, blocks: {blocks}}}"] if lens_width else []
    config = load_config(None, [*WEAK_DCGAN, "data.name=mnist5k", "data.split=all", "data.pad_to=32",
                                f"train.batch_size={batch}", *extra])
    data = load_data(config)
    return build_model(config, data_shape_of(data), seed=0).train(), data


def _flops_per_step(model, batch, step: int) -> float:
    """Floating-point operations of one training step, counted by PyTorch's FlopCounterMode (convs and matmuls)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model.training_step(batch, step)
    return float(counter.get_total_flops())


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _seconds_per_step(model, batch, first_step: int, steps: int) -> float:
    device = batch[0].device
    _sync(device)
    start = time.perf_counter()
    for step in range(first_step, first_step + steps):
        model.training_step(batch, step)
    _sync(device)
    return (time.perf_counter() - start) / steps


def main() -> None:
    """Parse flags, time both models in alternating rounds, print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30, help="steps per round and model")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--lens-width", type=int, default=8, help="the lens's feature maps (the experiments use 8)")
    p.add_argument("--lens-blocks", type=int, default=8, help="residual blocks (the paper's Figure 4: 8)")
    p.add_argument("--channels-last", action="store_true", help="both models and the batch in NHWC (the default "
                   "layout of `latentgan train` for images)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (1: on a shared 2-core machine a 2-thread pool mostly waits for the other core)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    args = p.parse_args()
    device = select_device(args.device)
    torch.set_num_threads(args.threads)
    plain, data = _model(None, args.batch)
    lensed, _ = _model(args.lens_width, args.batch, args.lens_blocks)
    plain, lensed, data = plain.to(device), lensed.to(device), data.to(device)
    batch = data.batch(torch.arange(args.batch, device=device))
    if args.channels_last:
        plain, lensed = plain.to(memory_format=torch.channels_last), lensed.to(memory_format=torch.channels_last)
        batch = (batch[0].contiguous(memory_format=torch.channels_last), *batch[1:])
    times: dict[str, list[float]] = {"without lens": [], "with lens": []}
    _seconds_per_step(plain, batch, 0, 3), _seconds_per_step(lensed, batch, 0, 3)  # warm-up
    for r in range(args.rounds):
        times["without lens"].append(_seconds_per_step(plain, batch, r * args.steps, args.steps))
        times["with lens"].append(_seconds_per_step(lensed, batch, r * args.steps, args.steps))
    base, with_lens = (statistics.median(times[k]) for k in ("without lens", "with lens"))
    flops = {name: _flops_per_step(m, batch, args.rounds * args.steps) for name, m in
             (("without lens", plain), ("with lens", lensed))}
    print(f"weak DCGAN ({' '.join(WEAK_DCGAN)}), batch {args.batch}, 32 px, lens width {args.lens_width}, "
          f"{args.lens_blocks} blocks, {'NHWC' if args.channels_last else 'NCHW'}, {torch.get_num_threads()} threads, "
          f"{device}, "
          f"{args.rounds} rounds x {args.steps} steps")
    print(f"{'':>14}  {'ms/step':>8}  {'GFLOP/step':>10}")
    print(f"{'without lens':>14}: {base * 1000:8.1f}  {flops['without lens'] / 1e9:10.3f}")
    print(f"{'with lens':>14}: {with_lens * 1000:8.1f}  {flops['with lens'] / 1e9:10.3f}")
    time_ratio, flop_ratio = with_lens / base, flops["with lens"] / flops["without lens"]
    print(f"{'ratio':>14}: {time_ratio:8.3f}  {flop_ratio:10.3f}  (lens adds {100 * (time_ratio - 1):.0f} % of the "
          f"time, {100 * (flop_ratio - 1):.0f} % of the arithmetic)")


if __name__ == "__main__":
    main()
