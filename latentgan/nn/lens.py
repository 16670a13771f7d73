"""The tempering lens (Sajjadi et al. 2018, Fig. 4): a residual fully convolutional map from data space to itself.

A 3x3 conv lifts the image to `width` maps, `blocks` residual blocks (conv-ReLU-conv plus skip, as in
EnhanceNet) transform them, a 3x3 conv maps back to the image's channels, and a skip from input to
output adds the image itself, so the lens is the identity as soon as its residual branch outputs zero.
"""

from __future__ import annotations

from torch import Tensor, nn


class ResidualBlock(nn.Module):
    """x + conv3x3(relu(conv3x3(x))): (N, width, H, W) -> (N, width, H, W)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv2(self.act(self.conv1(x)))


class Lens(nn.Module):
    """L: x (N, C, H, W) -> L(x) (N, C, H, W), any C, H, W; stride-1 3x3 convs only, no normalisation.

    The output is not clamped: the discriminator sees whatever the lens makes, as in the paper.
    """

    def __init__(self, channels: int, width: int = 32, blocks: int = 8) -> None:
        super().__init__()
        if channels < 1 or width < 1 or blocks < 0:
            raise ValueError(f"Lens needs channels >= 1, width >= 1, blocks >= 0; got {channels}, {width}, {blocks}")
        self.channels = channels
        self.head = nn.Conv2d(channels, width, 3, padding=1)
        self.blocks = nn.Sequential(*(ResidualBlock(width) for _ in range(blocks)))
        self.tail = nn.Conv2d(width, channels, 3, padding=1)
        self.act = nn.ReLU()

    def residual(self, x: Tensor) -> Tensor:
        """The learned change L(x) - x: (N, C, H, W)."""
        return self.tail(self.blocks(self.act(self.head(x))))

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or x.shape[1] != self.channels:
            raise ValueError(f"Lens expects images (N, {self.channels}, H, W), got {tuple(x.shape)}")
        return x + self.residual(x)
