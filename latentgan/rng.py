"""Random draws that work whatever device the generator and the result live on.

torch requires a generator of the same device type as the tensor it fills (a CUDA generator cannot fill a CPU
tensor and the reverse). Each draw here happens on the generator's own device and the result then moves to the
requested device, so a caller may pass a CPU generator to a model on the GPU, or a GPU generator to a sampler
that works on the CPU. Without a generator the draw happens on the target device from its global RNG.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

Device = torch.device | str


def draw_device(generator: torch.Generator | None, device: Device) -> torch.device:
    """The device a draw must happen on: the generator's own when one is given, else `device`."""
    return torch.device(device) if generator is None else generator.device


def randn(size: Sequence[int], generator: torch.Generator | None = None, device: Device = "cpu",
          dtype: torch.dtype | None = None) -> Tensor:
    """N(0, 1) values of shape `size` on `device`, drawn on the generator's device."""
    drawn = torch.randn(tuple(size), generator=generator, device=draw_device(generator, device), dtype=dtype)
    return drawn.to(device)


def rand(size: Sequence[int], generator: torch.Generator | None = None, device: Device = "cpu",
         dtype: torch.dtype | None = None) -> Tensor:
    """U[0, 1) values of shape `size` on `device`, drawn on the generator's device."""
    drawn = torch.rand(tuple(size), generator=generator, device=draw_device(generator, device), dtype=dtype)
    return drawn.to(device)


def randint(low: int, high: int, size: Sequence[int], generator: torch.Generator | None = None,
            device: Device = "cpu") -> Tensor:
    """Integers in [low, high) of shape `size` on `device`, drawn on the generator's device."""
    drawn = torch.randint(low, high, tuple(size), generator=generator, device=draw_device(generator, device))
    return drawn.to(device)


def randperm(n: int, generator: torch.Generator | None = None, device: Device = "cpu") -> Tensor:
    """A random permutation of 0..n-1 on `device`, drawn on the generator's device."""
    return torch.randperm(n, generator=generator, device=draw_device(generator, device)).to(device)


def multinomial(weights: Tensor, n: int, generator: torch.Generator | None = None) -> Tensor:
    """n indices drawn with replacement in proportion to `weights`, on the weights' device."""
    where = draw_device(generator, weights.device)
    return torch.multinomial(weights.to(where), n, replacement=True, generator=generator).to(weights.device)
