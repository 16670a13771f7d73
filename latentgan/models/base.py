"""The interface every latentgan model shares: it owns its networks, optimizers and update order."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


@dataclass(frozen=True)
class DataShape:
    """What a model must know about its data to be built: one example's shape, value range, classes."""

    sample_shape: tuple[int, ...]
    value_range: tuple[float, float] = (-1.0, 1.0)
    num_classes: int | None = None

    @property
    def is_image(self) -> bool:
        """True when examples are (C, H, W) images."""
        return len(self.sample_shape) == 3

    def to_dict(self) -> dict:
        """Plain dict for run.json and checkpoints."""
        d = asdict(self)
        d["sample_shape"], d["value_range"] = list(self.sample_shape), list(self.value_range)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> DataShape:
        """Inverse of to_dict."""
        return cls(tuple(d["sample_shape"]), tuple(d["value_range"]), d.get("num_classes"))


def optimizer_step(optimizer: torch.optim.Optimizer, loss: Tensor) -> None:
    """One update of `optimizer`'s parameters on `loss`: clear gradients, backward, step."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


class GenerativeModel(nn.Module):
    """Base class: subclasses build networks and optimizers in __init__ and implement training_step.

    Optimizers live in `self.optimizers` (name -> optimizer) so the trainer can checkpoint them
    without knowing the method. Models whose architecture changes during training (latent growing)
    override `on_step` and `extra_state` / `load_extra_state`.
    """

    # The child networks that make samples and codes, which train.ema averages (never a discriminator).
    averaged_networks: tuple[str, ...] = ()

    def __init__(self, config, data_shape: DataShape):
        super().__init__()
        self.config = config
        self.data_shape = data_shape
        self.optimizers: dict[str, torch.optim.Optimizer] = {}

    def training_step(self, batch: tuple[Tensor, Tensor | None, Tensor], step: int) -> dict[str, Tensor]:
        """Do one step of this method's updates on batch (x, y, index); return detached scalar losses."""
        raise NotImplementedError

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw n samples in the data's range: (n, C, H, W) images or (n, D) points."""
        raise NotImplementedError

    def initialize(self, data) -> None:
        """Called once on a fresh run, before training, with the training Dataset (GLO's code table, PCA's fit).

        Whatever it sets must live in state_dict / extra_state, because resume and load never call it.
        """

    def on_step(self, step: int) -> None:
        """Called before every training step; models that grow or follow schedules act here."""

    def extra_state(self) -> dict:
        """State beyond parameters and optimizers (e.g. growth stage), restored before the weights."""
        return {}

    def load_extra_state(self, state: dict) -> None:
        """Restore what extra_state returned (rebuild the architecture if it changed)."""

    @property
    def device(self) -> torch.device:
        """The device the model's parameters live on."""
        return next(self.parameters()).device

    def training_state(self) -> dict:
        """Optimizer states and extra state, for checkpoints."""
        return {
            "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
            "extra": self.extra_state(),
        }

    def load_training_state(self, state: dict) -> None:
        """Restore optimizer states saved by training_state (call after loading the weights)."""
        saved = state["optimizers"]
        if set(saved) != set(self.optimizers):
            raise KeyError(f"optimizers {sorted(saved)} in checkpoint, model has {sorted(self.optimizers)}")
        for name, opt in self.optimizers.items():
            opt.load_state_dict(saved[name])
