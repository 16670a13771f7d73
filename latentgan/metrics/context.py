"""What a metric may ask for while evaluating a run: the model, its data splits and samples, all lazy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as torch_dist
from torch import Tensor

from latentgan.config import RunConfig
from latentgan.data import Dataset
from latentgan.data.base import to_unit_range
from latentgan.data.from_config import load_split, resolve_split
from latentgan.models.base import GenerativeModel


@dataclass
class EvalContext:
    """A model under evaluation with its run's config; data and samples are loaded once, on demand.

    n overrides each metric's default sample count; seed fixes the latent codes of the samples. Under torchrun
    (`dist` enabled) every process must evaluate together: each draws its share of the samples and all of them
    receive every sample, the same set one process alone would draw.
    """

    model: GenerativeModel
    config: RunConfig
    n: int | None = None
    seed: int = 0
    inception_path: str | None = None
    batch_size: int = 250
    run_dir: Path | None = None
    _data: dict = field(default_factory=dict, repr=False)
    _samples: Tensor | None = field(default=None, repr=False)
    dist: object = None  # a DistContext when evaluating inside a torchrun job

    @property
    def device(self) -> torch.device:
        """Where the model (and so the sampling) lives."""
        return self.model.device

    def data(self, split: str | None = None) -> Dataset:
        """The run's dataset; split 'heldout' means the test split when the dataset has one."""
        split = resolve_split(self.config, split)
        if split not in self._data:
            self._data[split] = load_split(self.config, split)
        return self._data[split]

    def count(self, default: int) -> int:
        """The number of samples a metric uses: the user's n, else the metric's default."""
        return self.n or default

    def samples(self, n: int) -> Tensor:
        """n samples in the data's range, drawn in chunks with fixed codes; reused across metrics."""
        if self._samples is None or self._samples.shape[0] < n:
            sizes = [min(self.batch_size, n - start) for start in range(0, n, self.batch_size)]
            rank, world = (self.dist.rank, self.dist.world_size) if self.dist and self.dist.enabled else (0, 1)
            mine = {i: self._chunk(i, size) for i, size in enumerate(sizes) if i % world == rank}
            if world > 1:
                shares: list = [None] * world
                torch_dist.all_gather_object(shares, mine)
                mine = {i: chunk for share in shares for i, chunk in share.items()}
            self._samples = torch.cat([mine[i] for i in range(len(sizes))])
        return self._samples[:n]

    def _chunk(self, index: int, size: int) -> Tensor:
        """Chunk `index` of the samples: its own seed, so any process can draw it and get the same images."""
        seed = int(np.random.SeedSequence([self.seed, 777, index]).generate_state(1)[0])
        with torch.no_grad():
            return self.model.sample(size, generator=torch.Generator(device=self.device).manual_seed(seed)).cpu()

    def unit_samples(self, n: int) -> Tensor:
        """Samples mapped to [0, 1] (images) for feature extractors."""
        return to_unit_range(self.samples(n), tuple(self.config.data.value_range))

    def unit_sample_stream(self, n: int):
        """A sample_fn(k) that hands out the n shared samples in consecutive, distinct chunks of k."""
        pool, position = self.unit_samples(n), 0

        def next_chunk(k: int) -> Tensor:
            nonlocal position
            chunk = pool[position:position + k]
            if chunk.shape[0] < k:
                raise ValueError(f"asked for {position + k} samples from a stream of {n}")
            position += k
            return chunk
        return next_chunk
