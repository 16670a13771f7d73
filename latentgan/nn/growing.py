"""Layers that grow during training (Sandström 2019, sec. 6): new input columns, new channels, new layers.

Every growing layer holds its weights at their final size from the start and uses, at stage k, the slice
[:out_k, :in_k] of them. Weights become active in the stage that first uses them, so the optimizer keeps its
state for the old weights when a layer grows and the parameter shapes never change (checkpoints, resume).
A weight new in stage k is multiplied by beta (0 -> 1 over the fade-in, sec. 6.2.7); at beta = 0 the grown
network computes exactly what the previous stage's network computed.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from latentgan.nn.init import HE_SLOPE

HE_GAIN = math.sqrt(2.0 / (1.0 + HE_SLOPE**2))  # He et al. for leaky ReLU with slope 0.2


def upsample(x: Tensor) -> Tensor:
    """Nearest-neighbour doubling: every pixel becomes a 2x2 block. (N, C, H, W) -> (N, C, 2H, 2W)."""
    return F.interpolate(x, scale_factor=2, mode="nearest")


def downsample(x: Tensor) -> Tensor:
    """2x2 average pooling. (N, C, H, W) -> (N, C, H/2, W/2)."""
    return F.avg_pool2d(x, 2)


def resize_to(x: Tensor, resolution: int) -> Tensor:
    """Average-pool (N, C, R, R) images down to `resolution`, or nearest-upsample them up to it (powers of 2)."""
    while x.shape[-1] > resolution:
        x = downsample(x)
    while x.shape[-1] < resolution:
        x = upsample(x)
    return x


def fade_in(alpha: float, new: Tensor, old: Tensor) -> Tensor:
    """alpha * new + (1 - alpha) * old: blends a new layer's output with the old path (alpha 0 -> 1)."""
    if alpha >= 1.0:
        return new
    return alpha * new + (1.0 - alpha) * old


def minibatch_stddev(x: Tensor, old_channels: int | None = None, tau: float = 0.5) -> Tensor:
    """Append the minibatch standard deviation as one constant feature map: (N, C, H, W) -> (N, C + 1, H, W).

    The std over the batch of every feature and location is averaged to one number (Karras et al. 2018). With
    old_channels < C the old and new channel halves are averaged apart and blended by tau (Eq. 15):
    (1 - tau) * mean(old) + tau * mean(new), tau rising 0 -> 1/2 while the new channels fade in.
    """
    std = torch.sqrt(x.var(dim=0, unbiased=False) + 1e-8)  # (C, H, W)
    if old_channels is None or old_channels >= x.shape[1]:
        value = std.mean()
    else:
        value = (1.0 - tau) * std[:old_channels].mean() + tau * std[old_channels:].mean()
    return torch.cat([x, value.expand(x.shape[0], 1, *x.shape[2:])], dim=1)


class GrowingConv2d(nn.Module):
    """A convolution whose input and output channel counts follow a schedule (one entry per stage, 0 = unused).

    x: (N, in_k, H, W) -> (N, out_k, H', W') at stage k. He-initialised per stage: the weights first used in
    stage k get std gain / sqrt(in_k * fan_kernel), so early small networks are not initialised too small.
    fan_kernel defaults to kernel**2; a 4x4 "full" convolution of a 1x1 input sees one tap per channel (1).
    """

    def __init__(self, in_schedule: list[int], out_schedule: list[int], kernel: int, padding: int = 0,
                 fan_kernel: int | None = None, bias: bool = True):
        super().__init__()
        if len(in_schedule) != len(out_schedule):
            raise ValueError("in_schedule and out_schedule need one entry per stage each")
        self.in_schedule, self.out_schedule, self.padding = list(in_schedule), list(out_schedule), padding
        self.weight = nn.Parameter(torch.zeros(max(out_schedule), max(in_schedule), kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(max(out_schedule))) if bias else None
        fan_kernel = kernel * kernel if fan_kernel is None else fan_kernel
        with torch.no_grad():
            # Last stage first, so every slice keeps the std of the stage that first uses it.
            for k in reversed(range(len(in_schedule))):
                i, o = in_schedule[k], out_schedule[k]
                if i and o:
                    self.weight[:o, :i].normal_(0.0, HE_GAIN / math.sqrt(i * fan_kernel))

    def previous(self, stage: int) -> tuple[int, int]:
        """(in, out) channels of the previous stage; the current ones if the layer is new in this stage."""
        if stage == 0 or not self.in_schedule[stage - 1] or not self.out_schedule[stage - 1]:
            return self.in_schedule[stage], self.out_schedule[stage]
        return self.in_schedule[stage - 1], self.out_schedule[stage - 1]

    def active(self, stage: int, beta: float = 1.0) -> tuple[Tensor, Tensor | None]:
        """The weight and bias used at this stage, new entries scaled by beta."""
        i, o = self.in_schedule[stage], self.out_schedule[stage]
        weight = self.weight[:o, :i]
        bias = None if self.bias is None else self.bias[:o]
        i0, o0 = self.previous(stage)
        if beta < 1.0 and (i0 < i or o0 < o):
            scale = weight.new_full((o, i, 1, 1), beta)
            scale[:o0, :i0] = 1.0
            weight = weight * scale
            if bias is not None:
                bias = torch.cat([bias[:o0], bias[o0:] * beta])
        return weight, bias

    def active_parameters(self, stage: int) -> int:
        """How many weights and biases this stage uses."""
        i, o = self.in_schedule[stage], self.out_schedule[stage]
        if not (i and o):
            return 0
        return o * i * self.weight.shape[-1] ** 2 + (o if self.bias is not None else 0)

    def forward(self, x: Tensor, stage: int, beta: float = 1.0) -> Tensor:
        weight, bias = self.active(stage, beta)
        return F.conv2d(x, weight, bias, padding=self.padding)


class GrowingLinear(nn.Module):
    """A linear layer whose input and output sizes follow schedules: (N, in_k) -> (N, out_k) at stage k.

    zero_new_inputs: input columns added after stage 0 start at zero (sec. 6.1), so growing the input leaves the
    function unchanged; the other weights use PyTorch's default initialisation for the stage's fan-in.
    """

    def __init__(self, in_schedule: list[int], out_schedule: list[int], zero_new_inputs: bool = True):
        super().__init__()
        self.in_schedule, self.out_schedule = list(in_schedule), list(out_schedule)
        self.weight = nn.Parameter(torch.zeros(max(out_schedule), max(in_schedule)))
        self.bias = nn.Parameter(torch.zeros(max(out_schedule)))
        with torch.no_grad():
            for k in reversed(range(len(in_schedule))):
                i, o = in_schedule[k], out_schedule[k]
                start = nn.Linear(i, o)  # PyTorch's default for this stage's fan-in
                self.weight[:o, :i], self.bias[:o] = start.weight, start.bias
            if zero_new_inputs:
                self.weight[:, in_schedule[0]:].zero_()

    def active_parameters(self, stage: int) -> int:
        """How many weights and biases this stage uses."""
        return self.out_schedule[stage] * (self.in_schedule[stage] + 1)

    def forward(self, x: Tensor, stage: int) -> Tensor:
        i, o = self.in_schedule[stage], self.out_schedule[stage]
        return F.linear(x[:, :i], self.weight[:o, :i], self.bias[:o])
