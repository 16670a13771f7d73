"""In-memory datasets and the index batcher every model trains from."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from latentgan.errors import LatentganError


class DataError(LatentganError, ValueError):
    """A dataset file is missing, corrupt or of the wrong kind; the message says how to fix it."""


@dataclass
class Dataset:
    """A whole dataset held as one tensor, batched by index (no per-item Python overhead).

    x: images as uint8 (N, C, H, W) in [0, 255], or points as float32 (N, D).
    y: int64 labels (N,), float attribute vectors (N, A), or None.
    value_range: the range batches are scaled to for images, (-1, 1) or (0, 1).
    modes, mode_std: true mixture means (K, D) and their standard deviation, for synthetic points.
    """

    name: str
    x: Tensor
    y: Tensor | None = None
    value_range: tuple[float, float] = (-1.0, 1.0)
    class_names: list[str] | None = None
    modes: Tensor | None = None
    mode_std: float | None = None
    info: dict = field(default_factory=dict)

    @property
    def is_image(self) -> bool:
        """True for image data (uint8 NCHW), False for points."""
        return self.x.dim() == 4

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one example: (C, H, W) for images, (D,) for points."""
        return tuple(self.x.shape[1:])

    @property
    def num_classes(self) -> int | None:
        """Number of classes when labels are integer classes, else None."""
        if self.y is None or self.y.dim() != 1:
            return None
        return len(self.class_names) if self.class_names else int(self.y.max()) + 1

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device | str) -> Dataset:
        """Move the stored tensors to a device (e.g. the GPU) so batching never leaves it."""
        self.x = self.x.to(device)
        self.y = None if self.y is None else self.y.to(device)
        return self

    def scale(self, x: Tensor) -> Tensor:
        """Convert stored examples to model inputs: uint8 images -> float in value_range."""
        if not self.is_image:
            return x.float()
        lo, hi = self.value_range
        return x.float() * ((hi - lo) / 255.0) + lo

    def batch(self, index: Tensor) -> tuple[Tensor, Tensor | None, Tensor]:
        """Return (x, y, index) for the given example indices, x scaled to the model's range."""
        index = index.to(self.x.device)
        y = None if self.y is None else self.y[index]
        return self.scale(self.x[index]), y, index


def to_unit_range(x: Tensor, value_range: tuple[float, float]) -> Tensor:
    """Map images from value_range to [0, 1] (for saving and viewing)."""
    lo, hi = value_range
    return ((x - lo) / (hi - lo)).clamp(0.0, 1.0)


def check_batch_fits(n: int, batch_size: int, world_size: int = 1) -> None:
    """A DataError unless every process gets at least one whole batch of the n examples each epoch."""
    if batch_size < 1:
        raise DataError(f"batch_size must be at least 1, got {batch_size}")
    per_rank = n // world_size
    if per_rank < batch_size:
        raise DataError(f"the dataset has {n} examples ({per_rank} per process), fewer than one batch of "
                        f"{batch_size}; lower train.batch_size or use more data")


class IndexBatcher:
    """Yields batches of indices from a seeded permutation per epoch; resumable from (epoch, position).

    Each epoch's order is a pure function of (seed, epoch), so saving two integers is enough to
    continue the exact same data order after a restart. With world_size > 1 each rank takes a
    distinct, equally sized shard of every epoch. The order is drawn on the CPU (the same on every device) and
    copied to `device` once per epoch, so a step slices a tensor already there and never waits for the host.
    """

    def __init__(self, n: int, batch_size: int, seed: int = 0, rank: int = 0, world_size: int = 1,
                 device: torch.device | str = "cpu"):
        check_batch_fits(n, batch_size, world_size)
        self.n, self.batch_size, self.seed = n, batch_size, seed
        self.rank, self.world_size = rank, world_size
        self.device = torch.device(device)
        self.epoch, self.position = 0, 0
        self._order: Tensor | None = None

    def _epoch_order(self) -> Tensor:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        perm = torch.randperm(self.n, generator=g)
        per_rank = self.n // self.world_size
        return perm[self.rank * per_rank:(self.rank + 1) * per_rank].to(self.device)

    def next(self) -> Tensor:
        """Indices of the next batch (the last partial batch of an epoch is dropped)."""
        if self._order is None:
            self._order = self._epoch_order()
        if self.position + self.batch_size > self._order.numel():
            self.epoch, self.position = self.epoch + 1, 0
            self._order = self._epoch_order()
        idx = self._order[self.position:self.position + self.batch_size]
        self.position += self.batch_size
        return idx

    def state_dict(self) -> dict:
        """The data-order position: enough to continue the same sequence of batches."""
        return {"epoch": self.epoch, "position": self.position, "world_size": self.world_size}

    def load_state_dict(self, state: dict) -> None:
        """Continue from a saved position; saved with another world size, from the same share of the epoch."""
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        saved_world = int(state.get("world_size", 1))
        if saved_world != self.world_size:
            # Shards differ between world sizes, so the exact order cannot continue; keep the epoch and the
            # fraction of it already seen, in whole batches.
            seen = self.position * saved_world
            self.position = seen // self.world_size // self.batch_size * self.batch_size
        self._order = None
