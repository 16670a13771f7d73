"""Checks on what a user hands a model: images or points of the right shape, type and range, codes of the right size.

One place for the checks, shared by the models' public encode/decode and the explorer's uploads, so a wrong
input ends in one LatentganError that names the expected shape instead of an error deep inside a network.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from latentgan.errors import InputError

# Float inputs may overshoot the range by rounding (a decoder's tanh, a resize); more than this is another range.
RANGE_TOLERANCE = 1e-3


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(N, " + ", ".join(str(s) for s in shape) + ")"


def _as_tensor(x, what: str) -> Tensor:
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x)
    if not isinstance(x, Tensor):
        raise InputError(f"{what} must be a torch.Tensor or numpy array, got {type(x).__name__}")
    return x


def check_examples(x, sample_shape: tuple[int, ...], value_range: tuple[float, float],
                   device: torch.device | str = "cpu") -> Tensor:
    """x: (N, *sample_shape) float in value_range or uint8 in 0..255 (scaled) -> float32 on device; else InputError.

    Only images (C, H, W) are bounded by value_range; points (D,) may lie anywhere and are not scaled from uint8.
    """
    x = _as_tensor(x, "the input")
    sample_shape, (low, high) = tuple(sample_shape), value_range
    expected = _shape_text(sample_shape)
    if tuple(x.shape[1:]) != sample_shape or x.dim() != len(sample_shape) + 1:
        raise InputError(f"this model reads {expected} ({_kind(sample_shape)}); got {tuple(x.shape)}"
                         f"{_hint(x, sample_shape)}")
    is_image = len(sample_shape) == 3
    if x.dtype == torch.uint8 and is_image:
        return x.to(device, torch.float32) * ((high - low) / 255.0) + low
    if not x.is_floating_point():
        accepted = f"float in [{low:g}, {high:g}] or uint8 in 0..255" if is_image else "floating point"
        raise InputError(f"the input must be {accepted}, got {x.dtype}")
    x = x.to(device, torch.float32)
    if x.numel() and not bool(torch.isfinite(x).all()):
        raise InputError("the input holds NaN or infinite values")
    if is_image and x.numel() and (float(x.min()) < low - RANGE_TOLERANCE or float(x.max()) > high + RANGE_TOLERANCE):
        raise InputError(f"this model reads values in [{low:g}, {high:g}]; the input spans [{float(x.min()):.4g}, "
                         f"{float(x.max()):.4g}] (images in 0..255: pass them as uint8, or scale them into the range)")
    return x


def check_codes(z, latent_dim: int, device: torch.device | str = "cpu") -> Tensor:
    """z: (N, latent_dim) finite floats -> float32 on device; anything else is an InputError naming the shape."""
    z = _as_tensor(z, "the codes")
    if z.dim() != 2 or z.shape[1] != latent_dim:
        raise InputError(f"this model decodes codes of shape (N, {latent_dim}); got {tuple(z.shape)}")
    if not z.is_floating_point():
        raise InputError(f"codes must be floating point, got {z.dtype}")
    z = z.to(device, torch.float32)
    if z.numel() and not bool(torch.isfinite(z).all()):
        raise InputError("the codes hold NaN or infinite values")
    return z


def _kind(shape: tuple[int, ...]) -> str:
    if len(shape) == 3:
        colour = {1: "grayscale", 3: "RGB"}.get(shape[0], f"{shape[0]}-channel")
        return f"{colour} {shape[2]}x{shape[1]} px images"
    return f"{shape[0]}-D points" if len(shape) == 1 else "examples"


def _hint(x: Tensor, shape: tuple[int, ...]) -> str:
    if len(shape) != 3:
        return ""
    if x.dim() == 3 and tuple(x.shape) == shape:
        return "; add the batch dimension (x[None])"
    if x.dim() == 4 and x.shape[1] != shape[0] and tuple(x.shape[2:]) == shape[1:]:
        return f"; convert the images to {_kind(shape).split()[0]} (latentgan.images.load_folder does)"
    if x.dim() == 4 and x.shape[-1] == shape[0] and x.shape[1] != shape[0]:
        return "; channels come first: permute (N, H, W, C) to (N, C, H, W)"
    return f"; resize them to {shape[2]}x{shape[1]} px (latentgan.images.load_folder does)"
