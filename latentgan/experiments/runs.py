"""One run of an experiment: reused when finished, continued when interrupted, so a card can be redrawn cheaply."""

from __future__ import annotations

import shutil
from pathlib import Path

import latentgan
from latentgan.config import RunConfig
from latentgan.train.checkpoint import checkpoint_path, list_checkpoints
from latentgan.train.run_dir import checkpoints_dir


def train_or_continue(config: RunConfig, out: Path) -> Path:
    """Train `config` into `out`; reuse a run that reached config.train.steps, resume one that stopped earlier.

    A run that stopped before its first checkpoint (or diverged before it) holds nothing to continue from and
    is started over.
    """
    out = Path(out)
    if checkpoint_path(checkpoints_dir(out), config.train.steps).exists():
        return out
    if list_checkpoints(checkpoints_dir(out)):
        return latentgan.resume(out, log=lambda msg: None)
    if out.exists():
        shutil.rmtree(out)
    return latentgan.train(config, out=out, log=lambda msg: None)
