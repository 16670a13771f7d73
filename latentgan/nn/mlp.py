"""Fully connected networks: synthetic-data GANs, latent discriminators, lens and probe heads."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from torch import Tensor, nn

from latentgan.nn.activations import make_activation
from latentgan.nn.maxout import Maxout


def _hidden_layer(
    in_dim: int, width: int, activation: str, slope: float, batch_norm: bool, dropout: float, maxout_pieces: int
) -> nn.Sequential:
    """linear -> [batch norm] -> activation or maxout -> [dropout]: (N, in_dim) -> (N, width)."""
    units = width * max(maxout_pieces, 1)
    layers: list[nn.Module] = [nn.Linear(in_dim, units, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(units))
    layers.append(Maxout(maxout_pieces) if maxout_pieces > 0 else make_activation(activation, slope))
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class MLP(nn.Module):
    """x: (N, in_dim), or (N, C, H, W) flattened to N rows -> (N, out_dim).

    maxout_pieces=k: each hidden linear layer makes k*h units and Maxout(k) replaces the activation.
    out_activation: None leaves the output raw (logits, codes).
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        hidden: Sequence[int] = (128, 128),
        activation: str = "leaky_relu",
        slope: float = 0.2,
        batch_norm: bool = False,
        dropout: float = 0.0,
        maxout_pieces: int = 0,
        out_activation: str | None = None,
    ) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        widths = [in_dim, *hidden]
        self.hidden = nn.Sequential(
            *(
                _hidden_layer(a, b, activation, slope, batch_norm, dropout, maxout_pieces)
                for a, b in pairwise(widths)
            )
        )
        self.feature_dim = widths[-1]
        self.out = nn.Linear(self.feature_dim, out_dim)
        self.out_activation = make_activation(out_activation)

    def features(self, x: Tensor) -> Tensor:
        """x: (N, in_dim) or (N, ...) -> last hidden layer (N, feature_dim), i.e. hidden[-1] units."""
        x = x.flatten(1)
        if x.shape[1] != self.in_dim:
            raise ValueError(f"MLP expects {self.in_dim} input features, got {x.shape[1]} (shape {tuple(x.shape)})")
        return self.hidden(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.out_activation(self.out(self.features(x)))
