"""Conditioning by a linear embedding of y (conditional ALI, Dumoulin et al. 2017, Eq. 7)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def condition_vector(y: Tensor, y_dim: int) -> Tensor:
    """Labels (N,) -> one-hot (N, y_dim); attribute vectors (N, y_dim) pass through as floats."""
    if y.dim() == 1:
        return F.one_hot(y.long(), y_dim).float()
    if y.dim() != 2 or y.shape[1] != y_dim:
        raise ValueError(f"y must be labels (N,) or vectors (N, {y_dim}), got shape {tuple(y.shape)}")
    return y.float()


class LinearEmbedding(nn.Module):
    """y: (N, y_dim) -> (N, embed_dim), a learned linear map (no bias: y = 0 embeds to 0)."""

    def __init__(self, y_dim: int, embed_dim: int) -> None:
        super().__init__()
        self.linear = nn.Linear(y_dim, embed_dim, bias=False)

    def forward(self, y: Tensor) -> Tensor:
        return self.linear(y)


def append_embedding(inputs: Tensor, embedding: Tensor) -> Tensor:
    """Concatenate an embedding (N, E) to inputs along dim 1: (N, D) -> (N, D + E), or tiled over (N, C, H, W)."""
    if inputs.dim() == 4:
        embedding = embedding[:, :, None, None].expand(-1, -1, *inputs.shape[2:])
    return torch.cat([inputs, embedding.to(inputs.dtype)], dim=1)


class Conditioned(nn.Module):
    """A network reading concat(input, embed(y)): inputs (N, ...) and y (N, y_dim) -> net's output.

    flatten=True flattens inputs to (N, D) first (MLPs); otherwise 4-D inputs get the embedding as extra maps.
    """

    def __init__(self, net: nn.Module, y_dim: int, embed_dim: int, flatten: bool = False) -> None:
        super().__init__()
        self.net, self.embed, self.flatten = net, LinearEmbedding(y_dim, embed_dim), flatten

    def forward(self, inputs: Tensor, y: Tensor) -> Tensor:
        if self.flatten:
            inputs = inputs.flatten(1)
        return self.net(append_embedding(inputs, self.embed(y)))
