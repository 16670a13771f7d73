"""Building a configured model: the registered class for config.model.name, optionally from a fixed seed."""

from __future__ import annotations

import random

import numpy as np
import torch

from latentgan.config import RunConfig
from latentgan.models.base import DataShape, GenerativeModel
from latentgan.models.registry import get_model_entry


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
