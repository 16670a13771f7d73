"""Device names a user types, checked once: the torch device, or one clear error naming the fix."""

from __future__ import annotations

import torch

from latentgan.errors import ConfigError


def select_device(name: str | torch.device) -> torch.device:
    """The torch device for a user's device name; 'auto' means CUDA when present, else CPU.

    The one place device names are checked (train, resume, sample, eval, report, explore): a device this
    machine lacks ends in one ConfigError naming the fix instead of a traceback from deep inside torch.
    """
    if str(name) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as e:
        raise ConfigError(f"unknown device '{name}'; use auto, cpu, cuda, cuda:N or mps") from e
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device '{name}' asked for CUDA but no CUDA GPU is visible; use --device cpu or auto")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ConfigError(f"device '{name}' does not exist: {torch.cuda.device_count()} CUDA GPU(s) are "
                              "visible (cuda:0 ...); pick one of them or use --device cuda")
    elif device.type == "mps":
        if not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise ConfigError(f"device '{name}' asked for Apple's MPS but it is not available here; "
                              "use --device cpu or auto")
    elif device.type != "cpu":
        raise ConfigError(f"device '{name}' is not supported; use auto, cpu, cuda, cuda:N or mps")
    return device
