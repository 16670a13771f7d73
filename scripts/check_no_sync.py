"""Check that a training step never waits for the host: each model's steps, counting synchronising calls.

    python scripts/check_no_sync.py [--models gan,ali,glo,vae,ive_gan,clggan] [--steps 20] [--device auto]
                                    [--set train.precision=bf16]

Per model: Trainer.train_step (index batch, fast-path batch, training_step under the fast path's autocast,
loss accumulation, divergence observation) runs `--steps` times. On CUDA every synchronising call PyTorch
reports under torch.cuda.set_sync_debug_mode("warn") is counted. On the CPU, where nothing synchronises, the
calls that WOULD wait for a GPU are counted instead: reading a tensor's value on the host (.item(), .tolist(),
.numpy(), .cpu() of a tensor, bool/float/int of a tensor, so `if tensor:` too). Log steps read the losses on
purpose and are not part of this loop. The first call's place is printed; exit status 1 when any is found.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.devices import select_device
from latentgan.train.trainer import Trainer

EXTRA = {"ali": ["model.width_scale=0.25"], "ive_gan": ["model.width_scale=0.25"],
         "glo": ["data.limit=256"], "vae": ["data.limit=256"]}
HOST_READS = ("item", "tolist", "numpy", "cpu", "__bool__", "__float__", "__int__")


def _read_by_optimizer() -> bool:
    """True when torch.optim reads the value: its step counts stay on the CPU on a GPU too (no sync there)."""
    caller = traceback.extract_stack()[-3]  # [-1] is this function, [-2] the counting wrapper
    return f"torch{'/'}optim{'/'}" in caller.filename.replace("\\", "/")


def _library_frame() -> str:
    """The innermost caller inside latentgan (where the read was asked for), as file:line."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "latentgan" in frame.filename and "check_no_sync" not in frame.filename:
            return f"{Path(frame.filename).name}:{frame.lineno}"
    return "?"


@contextlib.contextmanager
def counting_host_reads(found: list[str]) -> Iterator[None]:
    """Inside: every host read of a tensor's value (HOST_READS) appends 'file:line: method' to found."""
    originals = {name: getattr(torch.Tensor, name) for name in HOST_READS}

    def wrap(name, real):
        def counted(self, *args, **kwargs):
            if not _read_by_optimizer():
                found.append(f"{_library_frame()}: Tensor.{name}")
            return real(self, *args, **kwargs)
        return counted

    for name, real in originals.items():
        setattr(torch.Tensor, name, wrap(name, real))
    try:
        yield
    finally:
        for name, real in originals.items():
            setattr(torch.Tensor, name, real)


def make_trainer(name: str, out: Path, device: torch.device, overrides: list[str]) -> Trainer:
    """A trainer for model `name` on small digits (32 px) on device, quiet."""
    config = load_config(None, [f"model.name={name}", *EXTRA.get(name, []), "data.name=digits", "data.resize=32",
                                f"train.device={device}", "train.progress=false", "train.batch_size=16",
                                *overrides])
    data = load_data(config).to(device)
    model = build_model(config, data_shape_of(data), seed=0).to(device)
    model.initialize(data)
    return Trainer(config, out, model, data, log=lambda m: None)


def check(name: str, steps: int, overrides: list[str], device: torch.device) -> tuple[int, str]:
    """The number of synchronising calls (CUDA) or host reads (CPU) in `steps` steps of model `name`, and the first."""
    with tempfile.TemporaryDirectory() as out:
        trainer = make_trainer(name, Path(out), device, overrides)
        for _ in range(3):  # first steps allocate and autotune
            trainer.train_step()
        if device.type != "cuda":
            found: list[str] = []
            with counting_host_reads(found):
                for _ in range(steps):
                    trainer.train_step()
            return len(found), found[0] if found else ""
        torch.cuda.synchronize()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")
            try:
                for _ in range(steps):
                    trainer.train_step()
            finally:
                torch.cuda.set_sync_debug_mode("default")
        syncs = [f"{Path(w.filename).name}:{w.lineno}: {str(w.message).splitlines()[0]}" for w in caught
                 if "synchroniz" in str(w.message).lower()]
        return len(syncs), syncs[0] if syncs else ""


def main(argv: list[str] | None = None) -> int:
    """Print each model's count per --steps steps; 0 when every model has none, 1 otherwise."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="gan,ali,glo,vae,ive_gan,clggan")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--set", action="append", default=[])
    args = p.parse_args(argv)
    device = select_device(args.device)
    what = "synchronising calls" if device.type == "cuda" else "host reads (calls that would synchronise a GPU)"
    status = 0
    for name in args.models.split(","):
        try:
            count, first = check(name, args.steps, args.set, device)
            detail = f"; first: {first}" if first else ""
            print(f"{name:>8}: {count} {what} in {args.steps} steps on {device.type}{detail}", flush=True)
            status |= count > 0
        except Exception as error:
            print(f"{name:>8}: failed: {type(error).__name__}: {str(error).splitlines()[0]}", flush=True)
            status = 1
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
