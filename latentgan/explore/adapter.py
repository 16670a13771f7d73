"""One interface over every trained image model for the explorer: codes in, images out, and back where possible.

Models differ in what they offer: ALI/BiGAN, VAE and PCA encode by a forward pass, GLO by optimisation,
the GAN not at all; conditional ALI decodes with a class or attribute vector beside z; codes come from a
prior, GLO's fitted sampler or PCA's component variances. The adapter hides those differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from latentgan.errors import LatentganError
from latentgan.models.base import GenerativeModel


class ExplorerError(LatentganError):
    """The explorer cannot show this run (point data, no checkpoint, ...); the message says why."""


@dataclass(frozen=True)
class Conditioning:
    """What a conditional model decodes with besides z: one-hot classes or free attribute vectors of y_dim."""

    y_dim: int
    kind: str  # "classes" (one-hot of a label) or "attributes" (any vector of y_dim numbers)
    names: list[str]


class ModelAdapter:
    """Uniform access to a trained image model: latent_dim, encode, decode, random codes, conditioning.

    Images cross this boundary as (N, C, H, W) in the data range; codes as (N, latent_dim) float32 on the CPU.
    """

    def __init__(self, model: GenerativeModel, class_names: list[str] | None = None):
        if not model.data_shape.is_image:
            raise ExplorerError(f"the explorer shows images, but this {model.config.name} run models "
                                f"{model.data_shape.sample_shape[0]}-D points; use `latentgan sample RUN --out "
                                "points.png` for a scatter plot")
        self.model = model
        self.name = model.config.name
        self.latent_dim = model.code_dim
        self.shape: tuple[int, int, int] = tuple(model.data_shape.sample_shape)
        self.value_range: tuple[float, float] = tuple(model.data_shape.value_range)
        self.can_encode = model.encoding is not None
        # GLO (and any model with an inversion budget) encodes by gradient steps: slower, and worth saying so.
        self.encode_kind = {"forward": "forward pass", "optimisation": "optimisation", None: None}[model.encoding]
        self.conditioning = _conditioning(model, class_names)

    def describe(self) -> dict:
        """JSON-ready summary of what the model can do, for the page to choose its panels."""
        cond = self.conditioning
        return {"model": self.name, "latent_dim": self.latent_dim, "image_shape": list(self.shape),
                "value_range": list(self.value_range), "can_encode": self.can_encode,
                "encode_kind": self.encode_kind,
                "conditional": None if cond is None else {"y_dim": cond.y_dim, "kind": cond.kind,
                                                          "names": cond.names}}

    @torch.no_grad()
    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """z: (N, latent_dim) -> images (N, C, H, W) in the data range; y: (N, y_dim) for conditional models."""
        z = z.to(self.model.device, torch.float32)
        if self.conditioning is None:
            return self.model.decode(z).cpu()
        return self.model.decode(z, self._y(y, z.shape[0])).cpu()

    def encode(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """x: (N, C, H, W) in the data range -> codes (N, latent_dim); y: (N, y_dim) for conditional models."""
        if not self.can_encode:
            raise ExplorerError(f"the {self.name} model has no encoder; it can only sample")
        # The model's public encode checks x, runs without gradients (or optimises, for GLO) and detaches.
        if self.conditioning is None:
            codes = self.model.encode(x)
        else:
            codes = self.model.encode(x, self._y(y, x.shape[0]))
        return codes.cpu().float()

    def random_codes(self, n: int, seed: int) -> Tensor:
        """n codes (n, latent_dim) from the distribution the model samples from, fixed by seed."""
        generator = torch.Generator().manual_seed(seed)
        # Drawn on the CPU rather than on the model's device: the same codes for a seed anywhere.
        return self.model.random_codes(n, generator, device="cpu").float()

    def random_conditions(self, n: int, seed: int) -> Tensor | None:
        """n condition vectors (n, y_dim) drawn uniformly over the classes, or None for unconditional models."""
        cond = self.conditioning
        if cond is None:
            return None
        generator = torch.Generator().manual_seed(seed + 1)
        if cond.kind == "classes":
            labels = torch.randint(cond.y_dim, (n,), generator=generator)
            return torch.nn.functional.one_hot(labels, cond.y_dim).float()
        return torch.randint(0, 2, (n, cond.y_dim), generator=generator).float()

    def _y(self, y: Tensor | None, n: int) -> Tensor:
        cond = self.conditioning
        if y is None or y.shape != (n, cond.y_dim):
            raise ExplorerError(f"this model is conditional: give y as {n} vectors of {cond.y_dim} numbers")
        return y.to(self.model.device, torch.float32)


def _conditioning(model: GenerativeModel, class_names: list[str] | None) -> Conditioning | None:
    y_dim = model.condition_dim
    if not y_dim:
        return None
    num_classes = model.data_shape.num_classes
    if num_classes == y_dim:
        names = class_names if class_names and len(class_names) == y_dim else [str(i) for i in range(y_dim)]
        return Conditioning(y_dim, "classes", names)
    return Conditioning(y_dim, "attributes", [f"attribute {i}" for i in range(y_dim)])
