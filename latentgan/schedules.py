"""Schedules: pure functions of the training step, so a resumed run computes the same values."""

from __future__ import annotations

import math


def linear_ramp(step: int, start: int, length: int) -> float:
    """0 before `start`, rising linearly to 1 over `length` steps, then 1 (fade-in alpha/beta)."""
    if length <= 0:
        return 1.0 if step >= start else 0.0
    return min(1.0, max(0.0, (step - start) / length))


def sine_decay(step: int, k: int) -> float:
    """1 - sin(t * pi / (2K)) for t <= K, then 0: falls from 1 to 0 over K steps (the lens weight)."""
    if k <= 0 or step >= k:
        return 0.0
    return 1.0 - math.sin(max(step, 0) * math.pi / (2 * k))


def stage_at(step: int, boundaries: list[int]) -> int:
    """Index of the stage a step falls in, given the steps at which each new stage starts."""
    return sum(1 for b in boundaries if step >= b)


def lr_decay(kind: str, step: int, start: int, total: int) -> float:
    """Learning-rate factor: 1 until `start`, then falling to 0 at `total` linearly or along a half cosine."""
    if kind == "none" or step < start:
        return 1.0
    t = min(1.0, (step - start) / max(total - start, 1))
    return 1.0 - t if kind == "linear" else 0.5 * (1.0 + math.cos(math.pi * t))
