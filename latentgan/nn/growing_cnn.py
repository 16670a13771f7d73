"""The generator and discriminator of the latent-growing CNN GANs (Sandström 2019, Tables 2-15).

Both are described by a channel table `channels[k][l]`: the channels at resolution level l (4 * 2**l px) in
stage k, 0 where the level is not built yet. Which entries grow decides the variant (bGAN, bgGAN, cgGAN,
lgGAN, clgGAN, see `models/growing_cnn.py`); all variants end at the same final table. Layers new in a stage
fade in with alpha against the previous stage's to-RGB / from-RGB path, channels new in a stage with beta.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from latentgan.growth import GrowthState
from latentgan.nn.growing import GrowingConv2d, downsample, fade_in, minibatch_stddev, upsample


def _column(channels: list[list[int]], level: int) -> list[int]:
    return [row[level] for row in channels]


def top_level(channels: list[list[int]], stage: int) -> int:
    """The finest level built at a stage."""
    return sum(1 for c in channels[stage] if c) - 1


def _fading_layers(channels: list[list[int]], state: GrowthState) -> bool:
    # A new level was added in this stage and its fade-in is not over.
    return state.stage > 0 and state.fading and top_level(channels, state.stage) > top_level(channels, state.stage - 1)


def _act(x: Tensor) -> Tensor:
    return F.leaky_relu(x, 0.2)


class GrowingGenerator(nn.Module):
    """z: (N, >= latent_k) codes -> (N, C, r_k, r_k) images in [-1, 1] at stage k (r_k: its finest level).

    g1 is a 4x4 "full" convolution of the 1x1 code (a linear layer, sec. 6.2.8), then a 3x3 conv at 4 px; every
    further level upsamples and applies two 3x3 convs; to-RGB is a 1x1 conv with tanh. rgb_levels: the levels
    that get a to-RGB layer (all for layer-growing variants, only the last otherwise).
    """

    def __init__(self, latent: list[int], channels: list[list[int]], image_channels: int, rgb_levels: list[int]):
        super().__init__()
        self.latent, self.channels = list(latent), [list(r) for r in channels]
        levels = len(channels[0])
        self.g1 = GrowingConv2d(latent, _column(channels, 0), 4, padding=3, fan_kernel=1)
        self.g2 = GrowingConv2d(_column(channels, 0), _column(channels, 0), 3, padding=1)
        self.blocks = nn.ModuleList(nn.ModuleList([
            GrowingConv2d(_column(channels, lv - 1), _column(channels, lv), 3, padding=1),
            GrowingConv2d(_column(channels, lv), _column(channels, lv), 3, padding=1)]) for lv in range(1, levels))
        n_stages = len(channels)
        self.to_rgb = nn.ModuleDict({str(lv): GrowingConv2d(_column(channels, lv), [image_channels] * n_stages, 1)
                                     for lv in rgb_levels})

    def _rgb(self, h: Tensor, level: int, stage: int, beta: float) -> Tensor:
        return torch.tanh(self.to_rgb[str(level)](h, stage, beta))

    def forward(self, z: Tensor, state: GrowthState) -> Tensor:
        k, beta = state.stage, state.beta
        z = z[:, :self.latent[k], None, None]
        h = _act(self.g2(_act(self.g1(z, k, beta)), k, beta))
        top, previous = top_level(self.channels, k), h
        for conv_a, conv_b in self.blocks[:top]:
            previous = h
            h = _act(conv_b(_act(conv_a(upsample(h), k, beta)), k, beta))
        image = self._rgb(h, top, k, beta)
        if _fading_layers(self.channels, state):
            image = fade_in(state.alpha, image, upsample(self._rgb(previous, top - 1, k, beta)))
        return image

    def active_parameters(self, stage: int, fading: bool = False) -> int:
        """Weights and biases the generator uses at a stage (both to-RGB layers while a level fades in)."""
        top = top_level(self.channels, stage)
        convs = [self.g1, self.g2, *(c for block in self.blocks[:top] for c in block)]
        rgb = [str(top)] + ([str(top - 1)] if fading and str(top - 1) in self.to_rgb else [])
        return sum(c.active_parameters(stage) for c in convs) + sum(
            self.to_rgb[name].active_parameters(stage) for name in rgb if name in self.to_rgb)


class GrowingDiscriminator(nn.Module):
    """x: (N, C, r_k, r_k) images -> (N, 1) critic scores at stage k.

    Per level from the finest: from-RGB (1x1) only at the finest, two 3x3 convs (the second maps to the next
    coarser level's channels), average-pool; at 4 px: minibatch stddev, 3x3 conv, 4x4 valid conv, linear.
    The minibatch-stddev channel has its own filter in d3, so it keeps its weights when the channels grow.
    """

    def __init__(self, channels: list[list[int]], image_channels: int, rgb_levels: list[int]):
        super().__init__()
        self.channels = [list(r) for r in channels]
        levels, n_stages = len(channels[0]), len(channels)
        self.from_rgb = nn.ModuleDict({str(lv): GrowingConv2d([image_channels] * n_stages, _column(channels, lv), 1)
                                       for lv in rgb_levels})
        self.blocks = nn.ModuleList(nn.ModuleList([
            GrowingConv2d(_column(channels, lv), _column(channels, lv), 3, padding=1),
            GrowingConv2d(_column(channels, lv), _column(channels, lv - 1), 3, padding=1)]) for lv in range(1, levels))
        c0 = _column(channels, 0)
        self.d3 = GrowingConv2d(c0, c0, 3, padding=1)
        self.d3_std = GrowingConv2d([1] * n_stages, c0, 3, padding=1, bias=False)  # d3's bias serves both
        self.d2 = GrowingConv2d(c0, c0, 4)
        self.d1 = GrowingConv2d(c0, [1] * n_stages, 1)

    def _stddev_split(self, stage: int) -> int | None:
        # The level-0 channels of the previous stage: Eq. 15 blends their std with the new channels'.
        return self.channels[stage - 1][0] if stage > 0 else None

    def forward(self, x: Tensor, state: GrowthState) -> Tensor:
        k, beta = state.stage, state.beta
        top = top_level(self.channels, k)
        h = _act(self.from_rgb[str(top)](x, k, beta))
        for level in range(top, 0, -1):
            conv_a, conv_b = self.blocks[level - 1]
            h = downsample(_act(conv_b(_act(conv_a(h, k, beta)), k, beta)))
            if level == top and _fading_layers(self.channels, state):
                old = _act(self.from_rgb[str(top - 1)](downsample(x), k, beta))
                h = fade_in(state.alpha, h, old)
        h = minibatch_stddev(h, self._stddev_split(k), state.tau)
        h = self.d3(h[:, :-1], k, beta) + self.d3_std(h[:, -1:], k, beta)
        h = _act(self.d2(_act(h), k, beta))
        return self.d1(h, k, beta).flatten(1)

    def active_parameters(self, stage: int, fading: bool = False) -> int:
        """Weights and biases the discriminator uses at a stage (both from-RGB layers while a level fades in)."""
        top = top_level(self.channels, stage)
        convs = [self.d3, self.d3_std, self.d2, self.d1, *(c for block in self.blocks[:top] for c in block)]
        rgb = [str(top)] + ([str(top - 1)] if fading and str(top - 1) in self.from_rgb else [])
        return sum(c.active_parameters(stage) for c in convs) + sum(
            self.from_rgb[name].active_parameters(stage) for name in rgb if name in self.from_rgb)
