"""The Python entry points: train a config, resume a run directory, load a trained model."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch

from latentgan.config import RunConfig
from latentgan.data import Dataset, load_dataset
from latentgan.errors import CheckpointError
from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.registry import get_model_entry
from latentgan.train.checkpoint import load_latest_checkpoint, read_checkpoint
from latentgan.train.distributed import (
    agree,
    barrier,
    init_distributed,
    process_device,
    seed_process,
    shutdown,
    sync_batch_norm,
)
from latentgan.train.run_dir import (
    checkpoints_dir,
    default_run_dir,
    prepare_new_run,
    read_run,
    write_run_files,
)
from latentgan.train.trainer import Trainer, select_device
from latentgan.train.weight_average import check_averageable


def load_data(config: RunConfig) -> Dataset:
    """Load the dataset a config names, with its presentation options."""
    d = config.data
    return load_dataset(d.name, root=d.root, split=d.split, seed=config.train.seed,
                        value_range=tuple(d.value_range), pad_to=d.pad_to, resize=d.resize,
                        limit=d.limit, download=d.download, **d.options)


def data_shape_of(data: Dataset) -> DataShape:
    """What a model needs to know about a dataset to be built."""
    return DataShape(data.sample_shape, tuple(data.value_range), data.num_classes)


def build_model(config: RunConfig, shape: DataShape, seed: int | None = None) -> GenerativeModel:
    """Construct the configured model; with a seed its initial weights depend on nothing else."""
    if seed is not None:
        seed_everything(seed)
    entry = get_model_entry(config.model.name)
    return entry.model_class(config.model, shape)


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA), NumPy and Python's random."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def train(config: RunConfig, out: str | Path | None = None, log=print) -> Path:
    """Train a fresh run into `out` (default runs/<model>-<data>-<time>); returns the run directory.

    Under torchrun every process calls this; they train one model together and rank 0 writes the run.
    """
    device = select_device(config.train.device)
    ctx = init_distributed(device)
    device = process_device(device, ctx)
    try:
        run_dir = Path(agree(str(out or config.train.out or default_run_dir(config)), ctx))
        data = load_data(config)  # before touching the disk: a bad dataset leaves nothing behind
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
        trainer = Trainer(config, run_dir, model, data, log=log if ctx.is_main else _silent, dist=ctx)
        if ctx.is_main:
            trainer.log_parameters()
        trainer.fit()
        barrier(ctx)  # leave the process group together: gloo aborts a process whose peer tears down mid-exit
    finally:
        shutdown(ctx)
    return run_dir


def resume(run_dir: str | Path, steps: int | None = None, device: str | None = None, log=print) -> Path:
    """Continue a run from its newest readable checkpoint, to its configured or a new step count."""
    run_dir = Path(run_dir)
    config, shape = read_run(run_dir)
    if steps is not None:
        config.train.steps = steps
    if device is not None:
        config.train.device = device
    checkpoint = load_latest_checkpoint(checkpoints_dir(run_dir), warn=log)
    _check_model_name(checkpoint, config, run_dir)
    torch_device = select_device(config.train.device)
    ctx = init_distributed(torch_device)
    torch_device = process_device(torch_device, ctx)
    try:
        data = load_data(config)
        model = _build_for_process(config, shape, ctx, torch_device)
        trainer = Trainer(config, run_dir, model, data.to(torch_device), log=log if ctx.is_main else _silent,
                          dist=ctx)
        trainer.restore(checkpoint)  # any world size: the batcher continues from the same share of the epoch
        seed_process(config.train.seed, trainer.step, ctx)
        if steps is not None and ctx.is_main:
            write_run_files(run_dir, config, shape, ctx.world_size)
        if trainer.step < config.train.steps:
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
    run_dir, device = Path(run_dir), select_device(device)  # a device this machine lacks: one clear error
    config, shape = read_run(run_dir)
    state = read_checkpoint(Path(checkpoint)) if checkpoint else load_latest_checkpoint(
        checkpoints_dir(run_dir), warn=lambda msg: None)
    _check_model_name(state, config, run_dir)
    model = build_model(config, shape)
    model.load_extra_state(state["training"]["extra"])
    try:
        weights = state["model"]
        if averaged and (state.get("ema") or {}).get("shadow"):
            weights = {**weights, **state["ema"]["shadow"]}
        model.load_state_dict(weights)
    except RuntimeError as e:
        raise CheckpointError(f"checkpoint does not fit the model configured in '{run_dir}' "
                              f"({str(e).splitlines()[0]})") from e
    return model.to(device).eval()


def _build_for_process(config: RunConfig, shape: DataShape, ctx, device: torch.device) -> GenerativeModel:
    """This process's model on its device; the same seed everywhere, so replicas start identical."""
    model = build_model(config, shape, seed=config.train.seed).to(device)
    if config.train.sync_batch_norm:
        sync_batch_norm(model, ctx, device)
    return model


def _silent(message: str) -> None:
    """The log of ranks other than 0: one voice per job."""


def _check_model_name(state: dict, config: RunConfig, run_dir: Path) -> None:
    if state.get("model_name") != config.model.name:
        raise CheckpointError(f"the checkpoint in '{run_dir}' was written by model '{state.get('model_name')}'"
                              f" but the run's config says '{config.model.name}'; use the checkpoint's own "
                              "run directory")
