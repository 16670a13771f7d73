"""One run of an experiment: reused when finished, continued when interrupted or shorter, so a card can be redrawn
cheaply and a quick run grows into the full budget."""

from __future__ import annotations

import shutil
from pathlib import Path

import latentgan
from latentgan.config import RunConfig
from latentgan.errors import ConfigError
from latentgan.train.checkpoint import checkpoint_step, list_checkpoints
from latentgan.train.run_dir import checkpoints_dir, read_run


def train_or_continue(config: RunConfig, out: Path) -> Path:
    """Train `config` into `out`; reuse a run that reached config.train.steps, continue one that stopped earlier.

    A shorter run (a quick budget, or an interrupted one) is continued to config.train.steps when nothing in its
    schedule depends on the step count (no learning-rate decay), so it ends where a fresh run would; otherwise,
    and when it stopped before its first checkpoint, it is started over. A run that went further is refused.
    """
    out = Path(out)
    target = config.train.steps
    saved = list_checkpoints(checkpoints_dir(out))
    newest = checkpoint_step(saved[-1]) if saved else None
    if newest == target:
        return out
    if newest is not None and newest > target:
        raise ConfigError(f"'{out}' holds a run trained to step {newest}, beyond the {target} steps asked for; "
                          "pass another --out directory to train this budget beside it")
    if newest is not None and (read_run(out)[0].train.steps == target or config.train.lr_decay == "none"):
        return latentgan.resume(out, steps=target, log=lambda msg: None)
    if out.exists():
        shutil.rmtree(out)
    return latentgan.train(config, out=out, log=lambda msg: None)
