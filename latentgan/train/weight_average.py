"""An exponential moving average (EMA) of a model's generating networks, kept beside the trained weights.

Averaging the generator's weights over the last few thousand steps smooths the oscillation that adversarial
training leaves in them (Yazici et al. 2019, "The unusual effectiveness of averaging in GAN training"); samples,
reconstructions and every evaluation then use the average, while training goes on with the live weights.
Which networks are averaged is the model's choice (`GenerativeModel.averaged_networks`): those that make
samples and codes, never a discriminator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor

from latentgan.errors import ConfigError
from latentgan.models.base import GenerativeModel

# Batch norm's running statistics: the only buffers an average of weights should average too.
_AVERAGED_BUFFERS = (".running_mean", ".running_var")


def averaged_state(model: GenerativeModel) -> dict[str, Tensor]:
    """The live tensors (parameters and buffers) of the model's averaged networks, by state-dict key."""
    return {f"{name}.{key}": tensor for name in model.averaged_networks
            for key, tensor in model.get_submodule(name).state_dict(keep_vars=True).items()}


def check_averageable(model: GenerativeModel, decay: float) -> None:
    """Refuse train.ema on a model without generating networks (ConfigError), before anything is written."""
    if decay and not model.averaged_networks:
        raise ConfigError(f"train.ema is set but model {type(model).__name__} has no generating networks to "
                          "average; set train.ema=0")


class WeightAverage:
    """EMA of `model.averaged_networks` with the given decay, averaging from step `start` on.

    Before step `start` there is no average (the live weights serve); at `start`, and whenever a growing model
    changes shape, it starts again from the live weights. The decay ramps up as min(decay, (1 + n) / (10 + n))
    over the n updates since a restart, so a short run's average is not dominated by its first weights.
    Batch-norm running statistics are averaged like the weights, so the averaged networks normalise with
    statistics that belong to them rather than to the live weights; other buffers (counters) are copied.
    """

    def __init__(self, model: GenerativeModel, decay: float, start: int = 0):
        check_averageable(model, decay)
        self.model, self.decay, self.start = model, decay, start
        self.shadow: dict[str, Tensor] = {}
        self.updates = 0

    @torch.no_grad()
    def update(self, step: int) -> None:
        """Fold the live weights after training step `step` (counted from 1) into the average."""
        if step < self.start:
            self.shadow, self.updates = {}, 0  # no average yet: samples and checkpoints use the live weights
            return
        live = averaged_state(self.model)
        if step == self.start or not self._fits(live):
            self.shadow = {k: v.detach().clone() for k, v in live.items()}
            self.updates = 0
            return
        self.updates += 1
        weight = 1.0 - min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        for k, v in live.items():
            if (isinstance(v, torch.nn.Parameter) or k.endswith(_AVERAGED_BUFFERS)) and v.is_floating_point():
                self.shadow[k].lerp_(v.detach(), weight)
            else:
                self.shadow[k].copy_(v)

    def _fits(self, live: dict[str, Tensor]) -> bool:
        return live.keys() == self.shadow.keys() and all(v.shape == self.shadow[k].shape for k, v in live.items())

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Inside: the averaged networks hold the average; after: their live weights again."""
        if not self.shadow:
            yield
            return
        live = averaged_state(self.model)
        with torch.no_grad():
            kept = {k: v.detach().clone() for k, v in live.items()}
            for k, v in live.items():
                v.copy_(self.shadow[k])
        try:
            yield
        finally:
            with torch.no_grad():
                for k, v in live.items():
                    v.copy_(kept[k])

    def state_dict(self) -> dict:
        """The average and its update count, for checkpoints."""
        return {"shadow": {k: v.clone() for k, v in self.shadow.items()}, "updates": self.updates}

    def load_state_dict(self, state: dict | None) -> None:
        """Restore what state_dict returned; None (a checkpoint written without EMA) restarts the average."""
        if not state:
            self.shadow, self.updates = {}, 0
            return
        device = self.model.device
        self.shadow = {k: v.to(device) for k, v in state["shadow"].items()}
        self.updates = int(state["updates"])
