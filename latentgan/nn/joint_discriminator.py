"""The joint discriminator of ALI/BiGAN: D(x, z) = head(concat(D_x(x), D_z(z)))."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class JointDiscriminator(nn.Module):
    """Scores pairs (x, z): x (N, ...) and z (N, latent_dim) -> (N, 1) raw logits.

    Each branch maps its input to flat features (N, F); identity branches give the paper's 2-D setup,
    where the only difference from a GAN's discriminator is that it reads the concatenation of x and z.
    With an `embedding` (conditional ALI), the z branch reads concat(z, embedding(y)) for y (N, y_dim).
    """

    def __init__(self, x_branch: nn.Module, z_branch: nn.Module, head: nn.Module,
                 embedding: nn.Module | None = None) -> None:
        super().__init__()
        self.x_branch, self.z_branch, self.head, self.embedding = x_branch, z_branch, head, embedding

    def features(self, x: Tensor, z: Tensor, y: Tensor | None = None) -> Tensor:
        """The head's input: (N, Fx + Fz)."""
        if x.shape[0] != z.shape[0]:
            raise ValueError(f"x and z must pair up: got {x.shape[0]} and {z.shape[0]} rows")
        if (self.embedding is None) != (y is None):
            raise ValueError("y must be given exactly when the discriminator is conditional")
        if y is not None:
            z = torch.cat([z, self.embedding(y)], dim=1)
        return torch.cat([self.x_branch(x).flatten(1), self.z_branch(z).flatten(1)], dim=1)

    def forward(self, x: Tensor, z: Tensor, y: Tensor | None = None) -> Tensor:
        return self.head(self.features(x, z, y))
