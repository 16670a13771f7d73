"""Check on a GPU that a training step never waits for the device: CUDA sync debug mode over each model's steps.

    python scripts/check_no_sync.py [--models gan,ali,glo,vae,ive_gan,clggan] [--steps 20] [--set train.precision=bf16]

Per model: Trainer.train_step (index batch, fast-path batch, training_step under the fast path's autocast,
loss accumulation, divergence observation) runs `--steps` times with
torch.cuda.set_sync_debug_mode("warn"); every synchronising call PyTorch reports is counted and the first
one's message printed. Log steps read the losses on purpose and are not part of this loop.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import torch

from latentgan.api import build_model, data_shape_of, load_data
from latentgan.config import load_config
from latentgan.train.trainer import Trainer

EXTRA = {"ali": ["model.width_scale=0.25"], "ive_gan": ["model.width_scale=0.25"]}


def check(name: str, steps: int, overrides: list[str]) -> tuple[int, str]:
    """The number of synchronising calls in `steps` steps of model `name`, and the first one's message."""
    with tempfile.TemporaryDirectory() as out:
        config = load_config(None, [f"model.name={name}", *EXTRA.get(name, []), "data.name=digits", "data.resize=32",
                                    "train.device=cuda", "train.progress=false", *overrides])
        data = load_data(config).to("cuda")
        model = build_model(config, data_shape_of(data), seed=0).to("cuda")
        model.initialize(data)
        trainer = Trainer(config, Path(out), model, data, log=lambda m: None)
        for _ in range(3):  # first steps allocate and autotune
            trainer.train_step()
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


def main() -> None:
    """Print each model's count of synchronising calls per --steps steps."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="gan,ali,glo,vae,ive_gan,clggan")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--set", action="append", default=[])
    args = p.parse_args()
    for name in args.models.split(","):
        try:
            count, first = check(name, args.steps, args.set)
            detail = f"; first: {first}" if first else ""
            print(f"{name:>8}: {count} synchronising calls in {args.steps} steps{detail}", flush=True)
        except Exception as error:
            print(f"{name:>8}: failed: {type(error).__name__}: {str(error).splitlines()[0]}", flush=True)


if __name__ == "__main__":
    main()
