"""Numeric precision regions for network code."""

from __future__ import annotations

import contextlib

import torch
from torch import Tensor


def fp32(x: Tensor) -> contextlib.AbstractContextManager:
    """A region computed in float32 even inside bf16 autocast (losses whose small differences matter)."""
    return torch.autocast(x.device.type, enabled=False)
