"""The Python entry points: train a config, resume a run directory, load a trained model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from latentgan.checkpoint import load_latest_checkpoint
from latentgan.config import RunConfig, checked_config
from latentgan.data import Dataset
from latentgan.data.base import check_batch_fits
from latentgan.data.from_config import load_data
from latentgan.devices import select_device
from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.build import build_model, seed_everything  # noqa: F401 (part of the API)
from latentgan.run import Run, check_model_name, checkpoints_dir, read_run
from latentgan.train.distributed import (
    agree,
    barrier,
    init_distributed,
    process_device,
    seed_process,
    shutdown,
    sync_batch_norm,
)
from latentgan.train.run_dir import default_run_dir, prepare_new_run, write_run_files
from latentgan.train.trainer import Trainer
from latentgan.train.weight_average import check_averageable


def data_shape_of(data: Dataset) -> DataShape:
    """What a model needs to know about a dataset to be built."""
    return DataShape(data.sample_shape, tuple(data.value_range), data.num_classes)


def train(config: RunConfig, out: str | Path | None = None, log=print, callbacks: Sequence = ()) -> Path:
    """Train a fresh run into `out` (default runs/<model>-<data>-<time>); returns the run directory.

    callbacks: objects with on_metrics / on_image / on_end methods (latentgan/train/loggers.py), e.g. a W&B logger.
    Under torchrun every process calls this; they train one model together and rank 0 writes the run.
    A config edited in Python is checked here, before anything touches the disk.
    """
    config = checked_config(config)
    device = select_device(config.train.device)
    ctx = init_distributed(device)
    device = process_device(device, ctx)
    try:
        run_dir = Path(agree(str(out or config.train.out or default_run_dir(config)), ctx))
        data = load_data(config)  # before touching the disk: a bad dataset leaves nothing behind
        check_batch_fits(len(data), config.train.batch_size, ctx.world_size)
        shape = data_shape_of(data)
        model = _build_for_process(config, shape, ctx, device)
        check_averageable(model, config.train.ema)  # a bad setting must not leave a half-made run directory
        data = data.to(device)
        model.initialize(data)  # fresh runs only: resume and load restore what it set from the checkpoint
        if ctx.is_main:
            prepare_new_run(run_dir)
            write_run_files(run_dir, config, shape, ctx.world_size)
        barrier(ctx)
        seed_process(config.train.seed, 0, ctx)
        trainer = Trainer(config, run_dir, model, data, log=log if ctx.is_main else _silent, dist=ctx,
                          callbacks=callbacks)
        if ctx.is_main:
            trainer.log_parameters()
        trainer.fit()
        barrier(ctx)  # leave the process group together: gloo aborts a process whose peer tears down mid-exit
    finally:
        shutdown(ctx)
    return run_dir


def resume(run_dir: str | Path, steps: int | None = None, device: str | None = None, log=print,
           callbacks: Sequence = ()) -> Path:
    """Continue a run from its newest readable checkpoint, to its configured or a new step count (callbacks as
    for train)."""
    run_dir = Path(run_dir)
    config, shape = read_run(run_dir)
    if steps is not None:
        config.train.steps = steps
    if device is not None:
        config.train.device = device
    checkpoint = load_latest_checkpoint(checkpoints_dir(run_dir), warn=log)
    check_model_name(checkpoint, config, run_dir)
    torch_device = select_device(config.train.device)
    ctx = init_distributed(torch_device)
    torch_device = process_device(torch_device, ctx)
    try:
        data = load_data(config)
        model = _build_for_process(config, shape, ctx, torch_device)
        trainer = Trainer(config, run_dir, model, data.to(torch_device), log=log if ctx.is_main else _silent,
                          dist=ctx, callbacks=callbacks)
        trainer.restore(checkpoint)  # any world size: the batcher continues from the same share of the epoch
        seed_process(config.train.seed, trainer.step, ctx)
        if trainer.step < config.train.steps:
            if steps is not None and ctx.is_main:  # only a resume that trains records its new length
                write_run_files(run_dir, config, shape, ctx.world_size)
            trainer.fit()
        else:
            log(f"run '{run_dir}' is already at step {trainer.step}; pass --steps N to train further")
        barrier(ctx)  # leave the process group together: gloo aborts a process whose peer tears down mid-exit
    finally:
        shutdown(ctx)
    return run_dir


def load(run_dir: str | Path, checkpoint: str | Path | None = None, device: str | torch.device = "cpu",
         averaged: bool = True) -> GenerativeModel:
    """The trained model of a run directory (newest checkpoint unless one is given), in eval mode.

    A run trained with train.ema loads its averaged generating networks; averaged=False loads the live weights.
    """
    return Run.open(run_dir).model(averaged=averaged, checkpoint=checkpoint, device=device)


def _build_for_process(config: RunConfig, shape: DataShape, ctx, device: torch.device) -> GenerativeModel:
    """This process's model on its device; the same seed everywhere, so replicas start identical."""
    model = build_model(config, shape, seed=config.train.seed).to(device)
    if config.train.sync_batch_norm:
        sync_batch_norm(model, ctx, device)
    return model


def _silent(message: str) -> None:
    """The log of ranks other than 0: one voice per job."""
