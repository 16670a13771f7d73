"""Divergence: NaN or Inf in a loss or a network's parameters stops the run before it is checkpointed.

Losses are watched every step without a host sync (the first bad step is recorded on the device);
the recorded steps and the parameters are read at each check, which the trainer runs at every log
line and before every checkpoint, so a diverged state is never written. With
`train.on_divergence: rollback` the run instead goes back to its newest checkpoint and continues with
every learning rate multiplied by `train.rollback_lr_factor`, at most `train.max_rollbacks` times.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import Tensor, nn

from latentgan.checkpoint import list_checkpoints, load_latest_checkpoint
from latentgan.errors import CheckpointError, LatentganError
from latentgan.run import checkpoints_dir

_NEVER = 2**62  # "no non-finite value seen": larger than any step


class DivergenceError(LatentganError):
    """A loss or a parameter became NaN/Inf; the message names the step, the network and the kept checkpoint."""

    def __init__(self, message: str, step: int):
        self.step = step
        super().__init__(message)


def nonfinite_networks(model: nn.Module) -> dict[str, str]:
    """Child network name ('model' for the model's own tensors) -> its first parameter or buffer holding NaN/Inf.

    One host sync when all is well.
    """
    own = [("model", name, t) for name, t in (*model.named_parameters(recurse=False),
                                              *model.named_buffers(recurse=False))]
    tensors = own + [(child, f"{child}.{name}", t) for child, module in model.named_children()
                     for name, t in (*module.named_parameters(), *module.named_buffers())]
    tensors = [entry for entry in tensors if entry[2].is_floating_point()]
    if not tensors:
        return {}
    finite = torch.stack([torch.isfinite(t.detach()).all() for _, _, t in tensors]).tolist()
    bad: dict[str, str] = {}
    for (child, name, _), ok in zip(tensors, finite, strict=True):
        if not ok:
            bad.setdefault(child, name)
    return bad


def _as_float(value: Tensor | float) -> float:
    """A CPU loss as one number (the sum, for a loss that is not a scalar: NaN/Inf anywhere shows)."""
    if not isinstance(value, Tensor):
        return float(value)
    return value.item() if value.numel() == 1 else value.detach().sum().item()


def first_bad_step_on_device(first: Tensor | int, value: Tensor, step: int) -> Tensor:
    """min(first, step if value holds NaN/Inf): a 0-d int64 tensor on value's device, computed without a sync."""
    bad_at = torch.where(torch.isfinite(value.detach()).all(), _NEVER, step)
    return torch.minimum(bad_at, first) if isinstance(first, Tensor) else bad_at


class DivergenceGuard:
    """Records the first step at which each loss was non-finite; `check` raises DivergenceError."""

    def __init__(self, model: nn.Module, run_dir: Path):
        self.model, self.run_dir = model, Path(run_dir)
        self.rollbacks, self.lr_scale = 0, 1.0
        self.reset()

    def reset(self) -> None:
        """Forget what was observed (after a rollback to a good checkpoint)."""
        self._first_bad: dict[str, Tensor | int] = {}
        self._checked_step: int | None = None

    def observe(self, losses: dict[str, Tensor | float], step: int) -> None:
        """Note which of this step's losses are NaN/Inf, without reading them (no host synchronisation)."""
        for name, value in losses.items():
            first = self._first_bad.get(name, _NEVER)
            if isinstance(value, Tensor):  # also on the CPU: the step path reads no value on any device
                self._first_bad[name] = first_bad_step_on_device(first, value, step)
            elif first == _NEVER and not math.isfinite(_as_float(value)):
                self._first_bad[name] = step  # CPU: reading the value costs no more than recording it

    def check(self, step: int) -> None:
        """Raise DivergenceError if any loss seen so far or any parameter is NaN/Inf at `step`."""
        if self._checked_step == step:
            return
        firsts = {name: int(v) for name, v in self._first_bad.items() if int(v) != _NEVER}
        networks = nonfinite_networks(self.model)
        if firsts or networks:
            raise DivergenceError(self._message(step, firsts, networks), min(firsts.values(), default=step))
        self._checked_step = step

    def _message(self, step: int, firsts: dict[str, int], networks: dict[str, str]) -> str:
        if networks:
            where = "; ".join(f"network '{net}' has NaN/Inf values (first: {name})" for net, name in networks.items())
        else:
            where = f"the parameters of every network ({', '.join(n for n, _ in self.model.named_children())}) " \
                    "are still finite"
        if firsts:
            at = min(firsts.values())
            what = f"at step {at}: {', '.join(sorted(n for n, s in firsts.items() if s == at))} became NaN/Inf; "
        else:
            what = f"by step {step}: the losses are finite but "
        kept = list_checkpoints(checkpoints_dir(self.run_dir))
        last = f"the last good checkpoint is kept: {kept[-1]}" if kept else "no checkpoint had been written yet"
        return (f"training diverged {what}{where}; {last}. Lower the learning rate and resume, "
                "or set train.on_divergence=rollback")

    def state_dict(self) -> dict:
        """Rollbacks so far and the learning-rate scale they applied, for checkpoints."""
        return {"rollbacks": self.rollbacks, "lr_scale": self.lr_scale}

    def load_state_dict(self, state: dict) -> None:
        """Restore state_dict's values (older checkpoints have none: no rollbacks)."""
        self.rollbacks, self.lr_scale = int(state.get("rollbacks", 0)), float(state.get("lr_scale", 1.0))
        self.reset()


def roll_back(trainer, error: DivergenceError) -> None:
    """Reload the trainer's newest checkpoint and scale every learning rate down, or re-raise `error`.

    Re-raises when train.on_divergence is 'stop', when train.max_rollbacks are used up, or when no
    checkpoint exists yet.
    """
    t, guard = trainer.config.train, trainer.guard
    if t.on_divergence != "rollback":
        raise error
    if guard.rollbacks >= t.max_rollbacks:
        raise DivergenceError(f"{error} (gave up after {guard.rollbacks} rollback(s), train.max_rollbacks)",
                              error.step) from error
    try:
        state = load_latest_checkpoint(checkpoints_dir(trainer.run_dir), warn=trainer.log)
    except CheckpointError as e:
        raise DivergenceError(f"{error} (cannot roll back: {e})", error.step) from error
    rollbacks, scale = guard.rollbacks + 1, guard.lr_scale * t.rollback_lr_factor
    trainer.restore(state)
    for optimizer in trainer.model.optimizers.values():
        for group in optimizer.param_groups:
            group["lr"] *= scale / guard.lr_scale  # guard.lr_scale is now the checkpoint's
    guard.rollbacks, guard.lr_scale = rollbacks, scale
    trainer.log(f"{error}\nrolled back to step {trainer.step} with learning rates x{scale:g} "
                f"(rollback {rollbacks} of at most {t.max_rollbacks})")
