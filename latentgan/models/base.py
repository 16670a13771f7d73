"""The interface every latentgan model shares: it owns its networks, optimizers and update order."""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor, nn

from latentgan.errors import CapabilityError, InputError
from latentgan.inputs import check_codes, check_examples
from latentgan.latent import interpolate_codes
from latentgan.nn.priors import sample_prior


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

    Everything code outside `models/` may ask of a model is declared here; a model says what it can do by
    overriding the hooks below, never by other code probing for attributes:

    - required: `training_step`, `sample`; `_decode(z)` for a model with codes (z: (N, latent_dim) -> data).
    - `_encode(x)` for a model with an encoder (set `encoding = "optimisation"` when it is gradient descent);
      `_reconstruct(x)` when reconstruction is more than `_decode(_encode(x))` (eval mode, fixed noise).
    - `random_codes` when codes do not come from `config.prior` ("normal" or "uniform"); `condition_dim` for
      models that decode with a label or attribute vector beside z; `classify`, `probe_features`,
      `training_codes`, `needs_gradient_penalty`, `compile_refusal` where they apply.

    The hooks `_encode` / `_decode` are the differentiable networks training uses. The public `encode`,
    `decode`, `reconstruct` and `interpolate` are for users: inputs checked, no gradients, detached.
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

    # ---- what the model can do -------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The registered model name (config.name), for messages."""
        return str(getattr(self.config, "name", type(self).__name__))

    @property
    def latent_dim(self) -> int:
        """The number of latent entries in use: code_dim, or fewer while a growing model has not grown."""
        return self.code_dim

    @property
    def code_dim(self) -> int:
        """Length of the codes `decode` reads, `encode` returns and `random_codes` draws (config.latent_dim)."""
        return int(self.config.latent_dim)

    @property
    def prior_name(self) -> str:
        """The prior codes are drawn from: "normal" N(0, I) or "uniform" U[-1, 1]^d (config.prior)."""
        return str(getattr(self.config, "prior", "normal"))

    @property
    def encoding(self) -> str | None:
        """How codes for data are found: "forward" (an encoder network), "optimisation" (gradient steps), None."""
        return "forward" if self.can("encode") else None

    @property
    def condition_dim(self) -> int:
        """Length of the label or attribute vector a conditional model decodes with beside z; 0 if none."""
        return 0

    @property
    def conditional(self) -> bool:
        """True when decode (and encode) need a condition y beside the codes."""
        return self.condition_dim > 0

    @property
    def needs_gradient_penalty(self) -> bool:
        """True when a training step differentiates a gradient (WGAN-GP), which torch.compile cannot trace."""
        return False

    @property
    def compile_refusal(self) -> str | None:
        """Why train.compile cannot train this model, or None when it can."""
        if self.needs_gradient_penalty:
            return ("train.compile does not support WGAN-GP: torch.compile's autograd cannot differentiate "
                    "the gradient penalty twice")
        return None

    @property
    def supports_compile(self) -> bool:
        """True when torch.compile can train this model's networks."""
        return self.compile_refusal is None

    def can(self, capability: str) -> bool:
        """True when the model implements `capability`: encode, decode, classify, probe_features, training_codes."""
        if capability not in _CAPABILITY_HOOKS:
            raise ValueError(f"unknown capability {capability!r}; choose one of {', '.join(_CAPABILITY_HOOKS)}")
        return any(getattr(type(self), hook) is not getattr(GenerativeModel, hook)
                   for hook in _CAPABILITY_HOOKS[capability])

    def _lacks(self, what: str) -> CapabilityError:
        return CapabilityError(f"the {self.name} model has no {what}")

    # ---- hooks a model overrides -----------------------------------------------------------------------------

    def _encode(self, x: Tensor, *condition: Tensor) -> Tensor:
        """Differentiable codes (N, latent_dim) for checked data x (N, *sample_shape) on the model's device."""
        raise self._lacks("encoder (it cannot map data to codes)")

    def _decode(self, z: Tensor, *condition: Tensor) -> Tensor:
        """Differentiable data (N, *sample_shape) in the data range for codes z (N, latent_dim)."""
        raise self._lacks("decoder (it cannot map codes to data)")

    def _reconstruct(self, x: Tensor, *condition: Tensor) -> Tensor:
        """Data decoded from the codes of x; override to fix eval mode or noise."""
        return self._decode(self._encode(x, *condition), *condition)

    def random_codes(self, n: int, generator: torch.Generator | None = None,
                     device: torch.device | str | None = None) -> Tensor:
        """n codes (n, code_dim) from the distribution the model samples from (config.prior by default).

        device: where to draw them (the model's device by default); the generator must live there.
        """
        return sample_prior(self.prior_name, n, self.code_dim, self.device if device is None else device,
                            generator)

    def prior(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """The older name of random_codes, kept for callers that still use it."""
        return self.random_codes(n, generator)

    def classify(self, x: Tensor) -> Tensor:
        """Class predictions (N,) for data x, for models whose discriminator also classifies."""
        raise self._lacks("classifier")

    def probe_features(self, x: Tensor) -> Tensor:
        """Features (N, F) beyond the code that a linear probe should also read (ALI: last hidden layers)."""
        raise self._lacks("probe features beyond its codes")

    def training_codes(self) -> Tensor | None:
        """Codes learned for the training examples (GLO's table), (N, latent_dim), or None."""
        return None

    # ---- the public, checked interface -----------------------------------------------------------------------

    def check_data(self, x) -> Tensor:
        """x: (N, *sample_shape) float in the data range or uint8 0..255 -> float32 on the model's device."""
        return check_examples(x, self.data_shape.sample_shape, self.data_shape.value_range, self.device)

    def check_codes(self, z) -> Tensor:
        """z: (N, latent_dim) float codes -> float32 on the model's device."""
        return check_codes(z, self.code_dim, self.device)

    def _inference(self) -> contextlib.AbstractContextManager:
        # Encoding by optimisation takes gradient steps on the codes; the networks stay frozen inside.
        return contextlib.nullcontext() if self.encoding == "optimisation" else torch.no_grad()

    def encode(self, x, *condition: Tensor) -> Tensor:
        """Codes (N, latent_dim), detached, for data x: (N, *sample_shape) in the data range or uint8.

        Cost: one forward pass when `encoding` is "forward"; for "optimisation" (GLO) gradient steps per batch.
        Conditional models take the condition y (N,) labels or (N, condition_dim) vectors after x.
        """
        if self.encoding is None:
            raise self._lacks("encoder: it cannot map data to codes (it can only sample)")
        x = self.check_data(x)
        with self._inference():
            return self._encode(x, *condition).detach()

    def decode(self, z, *condition: Tensor) -> Tensor:
        """Data (N, *sample_shape) in the data range, detached, for codes z: (N, latent_dim)."""
        if not self.can("decode"):
            raise self._lacks("decoder (it cannot map codes to data)")
        z = self.check_codes(z)
        with torch.no_grad():
            return self._decode(z, *condition).detach()

    def reconstruct(self, x, *condition: Tensor) -> Tensor:
        """decode(encode(x)): (N, *sample_shape) -> (N, *sample_shape), detached; costs what encode costs."""
        if self.encoding is None or not self.can("decode"):
            raise self._lacks("encoder and decoder pair, so it cannot reconstruct")
        x = self.check_data(x)
        with self._inference():
            return self._reconstruct(x, *condition).detach()

    def interpolate(self, x_a, x_b, steps: int = 8, mode: str = "linear") -> Tensor:
        """Data (steps, *sample_shape) decoded along the path between the codes of x_a and x_b, endpoints included.

        x_a, x_b: one example each, (*sample_shape) or (1, *sample_shape). mode: "linear" or "slerp".
        """
        one = [x[None] if isinstance(x, Tensor | np.ndarray) and x.ndim == len(self.data_shape.sample_shape)
               else x for x in (x_a, x_b)]
        codes = self.encode(torch.cat([self.check_data(x) for x in one]))
        if codes.shape[0] != 2:
            raise InputError(f"interpolate takes one example at each end; got {codes.shape[0]} in all")
        try:
            path = interpolate_codes(codes[0], codes[1], steps, mode)
        except ValueError as e:
            raise InputError(str(e)) from e
        return self.decode(path)

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


# The hooks whose override means a capability; a model that overrides the public method itself counts too.
_CAPABILITY_HOOKS = {"encode": ("_encode", "encode"), "decode": ("_decode", "decode"), "classify": ("classify",),
                     "probe_features": ("probe_features",), "training_codes": ("training_codes",)}
