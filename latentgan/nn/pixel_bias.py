"""An untied output bias: one learned offset per output pixel and channel, settable from the data's mean.

The ALI authors' decoders end in untied biases set to the data's log-odds (their SVHN/CIFAR/CelebA scripts), so a
fresh decoder already outputs the mean image; with the paper's N(0, 0.01) weights that keeps D from winning outright.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

# Keeps the inverse activation finite where the mean image is exactly 0 or 1 (e.g. MNIST's black border).
_EDGE = 1e-3


class PixelBias(nn.Module):
    """x + b with b of shape `shape` (C, H, W), zero until set_from_mean."""

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(shape))

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H, W)."""
        return x + self.bias

    @torch.no_grad()
    def set_from_mean(self, mean: Tensor, activation: str) -> None:
        """Set b so that activation(b) is the mean image: log-odds for sigmoid ([0, 1] data), atanh for tanh."""
        if activation == "sigmoid":
            p = mean.clamp(_EDGE, 1 - _EDGE)
            self.bias.copy_(torch.log(p) - torch.log1p(-p))
        elif activation == "tanh":
            self.bias.copy_(torch.atanh(mean.clamp(-1 + _EDGE, 1 - _EDGE)))
        else:
            raise ValueError(f"no inverse for output activation {activation!r}; expected sigmoid or tanh")
