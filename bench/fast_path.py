"""The fast path against a naive loop: each fast-path switch added in turn, step times side by side.

    python bench/fast_path.py [--device cuda] [--models gan,ali,glo,ive_gan] [--resolution 32] [--batch 64]
                              [--steps 50] [--rounds 3] [--variants naive,fp32,cudnn,channels_last,bf16,compile]

naive: the loop a user writes without the library (bench/library_overhead.py's bare steps, the same networks
and optimizers) fed by a torch DataLoader over a CPU TensorDataset (shuffled, each batch copied to the device)
and reading its loss every step (a host-device sync, as a loop that prints or accumulates `loss.item()` has),
fp32, eager, cuDNN autotuning off. The library variants add one switch each, cumulatively:
fp32 (data resident on the device, index batching, losses read at log steps), cudnn (cuDNN benchmark),
channels_last, bf16 (autocast), compile (torch.compile, default mode), cudagraphs (compile mode reduce-overhead).
Every variant is built and warmed up first, then timed in alternating rounds (so a busy machine slows all
alike). Printed: median ms/step over the rounds, images/s, and the speed-up over naive.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from library_overhead import BARE, _config, _library, _sync  # noqa: E402

from latentgan.api import build_model, data_shape_of, load_data  # noqa: E402

SWITCHES = {  # cumulative: each variant is the previous one plus its own settings
    "fp32": ["train.precision=fp32", "train.channels_last=false", "train.compile=off", "train.cudnn_benchmark=false"],
    "cudnn": ["train.cudnn_benchmark=true"],
    "channels_last": ["train.channels_last=true"],
    "bf16": ["train.precision=bf16"],
    "compile": ["train.compile=default"],
    "cudagraphs": ["train.compile=reduce-overhead"],
}


def _naive(name: str, batch: int, device: torch.device, out: Path, extra: tuple[str, ...]):
    """The bare step fed by a DataLoader from host memory, one sync per step."""
    config = _config(name, batch, device.type, out, extra)
    data = load_data(config)
    host = data.scale(data.x)  # float images in the model's range, in host memory
    model = build_model(config, data_shape_of(data), seed=0).to(device).train()
    model.initialize(data.to(device))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(host, torch.arange(len(host))),
                                         batch_size=batch, shuffle=True, drop_last=True)
    step_fn, state = BARE[name](model), {"it": iter(loader)}

    def next_batch():
        try:
            x, index = next(state["it"])
        except StopIteration:
            state["it"] = iter(loader)
            x, index = next(state["it"])
        return x.to(device), index.to(device)

    def run(steps: int) -> float:
        torch.backends.cudnn.benchmark = False
        _sync(device)
        start = time.perf_counter()
        for _ in range(steps):
            step_fn(*next_batch())
            _sync(device)  # the loss read of every step
        return (time.perf_counter() - start) / steps
    return run


def _variant(name: str, variant: str, order: list[str], batch: int, device: torch.device, out: Path,
             size: tuple[str, ...]):
    """The library's Trainer with the switches of every variant up to and including this one."""
    extra = [*size]
    for v in order[:order.index(variant) + 1]:
        extra += SWITCHES.get(v, [])
    run = _library(name, batch, device, out, tuple(extra))
    benchmark = "train.cudnn_benchmark=true" in extra

    def timed(steps: int) -> float:
        torch.backends.cudnn.benchmark = benchmark  # one process times every variant: set the global per round
        return run(steps)
    return timed


def main() -> None:
    """Parse flags, time each model's naive loop and library variants, print one table per model."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--models", default="gan,ali,glo,ive_gan")
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=50, help="steps per round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=15, help="untimed steps first (compilation, cuDNN autotuning)")
    p.add_argument("--variants", default="naive,fp32,cudnn,channels_last,bf16,compile")
    args = p.parse_args()
    device = torch.device(args.device)
    variants = args.variants.split(",")
    order = [v for v in SWITCHES if v in variants]
    size = (f"data.resize={args.resolution}",)
    print(f"device {torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}, torch {torch.__version__}"
          f", digits at {args.resolution} px, batch {args.batch}, {args.rounds} rounds x {args.steps} steps")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            runs = {}
            for variant in variants:  # build and warm every variant first, then time them in alternating rounds
                out = Path(tmp) / f"{name}-{variant}"
                try:
                    run = (_naive(name, args.batch, device, out, size) if variant == "naive"
                           else _variant(name, variant, order, args.batch, device, out, size))
                    run(args.warmup)
                    runs[variant] = run
                except Exception as error:  # a switch a model cannot take is reported, not fatal
                    print(f"{name:>8} {variant:>14}   failed: {type(error).__name__}: {str(error).splitlines()[0]}")
            times: dict[str, list[float]] = {v: [] for v in runs}
            for _ in range(args.rounds):  # a busy machine slows every variant alike
                for variant, run in runs.items():
                    times[variant].append(run(args.steps))
            print(f"\n{name:>8} {'variant':>14} {'ms/step':>9} {'img/s':>9} {'x naive':>8}")
            medians = {v: statistics.median(t) for v, t in times.items()}
            base = medians.get("naive")
            for variant, seconds in medians.items():
                ratio = f"{base / seconds:7.2f}x" if base else "      -"
                print(f"{name:>8} {variant:>14} {seconds * 1000:9.2f} {args.batch / seconds:9.0f} {ratio}", flush=True)

if __name__ == "__main__":
    main()
