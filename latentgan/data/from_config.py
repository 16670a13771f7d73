"""A run config's dataset: the one place a config's data section becomes a Dataset, held-out split included."""

from __future__ import annotations

import dataclasses

from latentgan.config import RunConfig
from latentgan.data.base import Dataset
from latentgan.data.registry import DATASETS, load_dataset

HELDOUT = "heldout"


def resolve_split(config: RunConfig, split: str | None = None) -> str:
    """The split a name means: None is the run's own; 'heldout' is 'test' where the dataset has one, else the run's."""
    split = split or config.data.split
    if split == HELDOUT:
        spec = DATASETS.get(config.data.name)
        return "test" if spec is not None and "test" in spec.splits else config.data.split
    return split


def load_data(config: RunConfig) -> Dataset:
    """Load the dataset a config names, with its presentation options."""
    d = config.data
    return load_dataset(d.name, root=d.root, split=d.split, seed=config.train.seed,
                        value_range=tuple(d.value_range), pad_to=d.pad_to, resize=d.resize,
                        limit=d.limit, download=d.download, **d.options)


def load_split(config: RunConfig, split: str | None = None) -> Dataset:
    """One split of a trained run's dataset (resolved by resolve_split), never downloading."""
    data = dataclasses.replace(config.data, split=resolve_split(config, split), download=False)
    return load_data(dataclasses.replace(config, data=data))
