"""Learning-rate decay over a run: every optimizer's rate set from its initial value at each step.

Setting the rate from the step (instead of stepping a scheduler object) keeps resume exact without extra state:
each param group remembers its "initial_lr" (the key PyTorch's schedulers use), which travels in checkpoints.
"""

from __future__ import annotations

from latentgan.models.base import GenerativeModel
from latentgan.schedules import lr_decay


def apply_lr_decay(model: GenerativeModel, kind: str, step: int, start: int, total: int, scale: float = 1.0) -> float:
    """Set every param group's lr to initial_lr x scale x the decay factor at `step`; returns that factor."""
    factor = lr_decay(kind, step, start, total)
    for optimizer in model.optimizers.values():
        for group in optimizer.param_groups:
            # A group seen for the first time (a fresh run, or an optimizer a growing model just made) starts at
            # its configured rate; rollbacks' reductions come in through `scale`.
            base = group.setdefault("initial_lr", group["lr"])
            group["lr"] = base * scale * factor
    return factor
