"""Apply a network (encode, classify, decode) to many examples a batch at a time, without building graphs."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def map_in_batches(fn: Callable[[Tensor], Tensor], x: Tensor, batch_size: int = 500) -> Tensor:
    """fn over x (N, ...) in slices of batch_size, outputs concatenated along dim 0, gradients off."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    with torch.no_grad():
        return torch.cat([fn(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
