"""How a DCGAN's step time and peak memory grow with batch size and resolution, in one table.

    python bench/batch_resolution.py [--device cuda] [--resolutions 28,32,64,128] [--batches 32,64,128,256]
                                     [--steps 20] [--width 64] [--set train.precision=bf16 ...]
    python bench/batch_resolution.py --device cuda --preset gpu   # batches 64..512 at 32, 64 and 128 px

Each (resolution, batch) runs in a fresh process: the library's GAN (non-saturating loss, DCGAN generator and
discriminator of base width 64) on scikit-learn's digits resized to the resolution, through Trainer.fit with the
run's defaults for the device plus any --set overrides. Peak memory is torch.cuda.max_memory_allocated on a GPU
and the growth of the process's resident set (VmHWM minus VmRSS before the first step) on the CPU.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import torch

# Named grids: "gpu" is where a GPU has room (issue 20: to batch 512, 64-128 px); "tiny" is the dry run's.
PRESETS = {"gpu": ("32,64,128", "64,128,256,512"), "tiny": ("28", "8")}


def _proc_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(resolution: int, batch: int, device: str, steps: int, width: int, overrides: list[str]) -> dict:
    """Train `steps` steps after a warm-up; return ms/step and peak MiB (run in its own process)."""
    from latentgan.api import build_model, data_shape_of, load_data
    from latentgan.config import load_config
    from latentgan.train.trainer import Trainer

    with tempfile.TemporaryDirectory() as out:
        config = load_config(None, ["model.name=gan", f"model.width={width}", "data.name=digits",
                                    f"data.resize={resolution}", f"train.batch_size={batch}", f"train.device={device}",
                                    "train.progress=false", "train.log_every=10", "train.sample_every=1000000000",
                                    "train.checkpoint_every=1000000000", *overrides])
        torch_device = torch.device(device)
        data = load_data(config).to(torch_device)
        model = build_model(config, data_shape_of(data), seed=0).to(torch_device)
        trainer = Trainer(config, Path(out), model, data, log=lambda m: None)

        def fit(n: int) -> float:
            config.train.steps = trainer.step + n
            if torch_device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            with mock.patch("latentgan.train.trainer.write_summary"), \
                    mock.patch("latentgan.train.trainer.save_samples"), mock.patch.object(trainer, "checkpoint"):
                trainer.fit()
            if torch_device.type == "cuda":
                torch.cuda.synchronize()
            return (time.perf_counter() - start) / n

        rss_before = _proc_kib("VmRSS")
        if torch_device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        fit(3)  # warm-up: cuDNN autotuning, allocator
        seconds = fit(steps)
        if torch_device.type == "cuda":
            peak = torch.cuda.max_memory_allocated() / 2**20
        else:
            peak = (_proc_kib("VmHWM") - rss_before) / 1024
        return {"ms": seconds * 1000, "peak_mib": peak,
                "params": sum(p.numel() for p in model.parameters())}


def main() -> int:
    """Run every (resolution, batch) in a child process and print the table; 1 when any row failed."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--resolutions", default="28,32,64,128")
    p.add_argument("--batches", default="32,64,128,256")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--set", action="append", default=[], help="a config override, e.g. train.precision=bf16")
    p.add_argument("--preset", choices=sorted(PRESETS), help="a named grid; replaces --resolutions/--batches")
    p.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.preset:
        args.resolutions, args.batches = PRESETS[args.preset]
    if args.child:
        print(json.dumps(child(*args.child, args.device, args.steps, args.width, args.set)))
        return 0
    name = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "cpu"
    print(f"device {name}, torch {torch.__version__}, DCGAN width {args.width}, {args.steps} steps, "
          f"overrides {args.set or 'none'}")
    failed = 0
    print(f"{'res':>5} {'batch':>6} {'params':>10} {'ms/step':>9} {'img/s':>9} {'peak MiB':>9} {'MiB/img':>8}")
    for resolution in map(int, args.resolutions.split(",")):
        for batch in map(int, args.batches.split(",")):
            cmd = [sys.executable, __file__, "--child", str(resolution), str(batch), "--device", args.device,
                   "--steps", str(args.steps), "--width", str(args.width)] + [f"--set={s}" for s in args.set]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{resolution:>5} {batch:>6}   failed: {last}", flush=True)
                failed = 1
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{resolution:>5} {batch:>6} {r['params']:>10,} {r['ms']:9.2f} {batch * 1000 / r['ms']:9.0f} "
                  f"{r['peak_mib']:9.1f} {r['peak_mib'] / batch:8.2f}", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
