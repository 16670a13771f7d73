"""Activation modules by name, so configs can say `activation: leaky_relu`."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

# A dict rather than an if/elif chain: the keys double as the list shown in error messages.
_FACTORIES: dict[str, Callable[[float], nn.Module]] = {
    "relu": lambda slope: nn.ReLU(),
    "leaky_relu": lambda slope: nn.LeakyReLU(slope),
    "tanh": lambda slope: nn.Tanh(),
    "sigmoid": lambda slope: nn.Sigmoid(),
    "softplus": lambda slope: nn.Softplus(),
    "identity": lambda slope: nn.Identity(),
}

ACTIVATIONS: tuple[str, ...] = tuple(_FACTORIES)


def make_activation(name: str | None, slope: float = 0.2) -> nn.Module:
    """A fresh activation module; `None` or "identity" gives `nn.Identity`.

    slope: negative slope, used by "leaky_relu" only.
    """
    key = "identity" if name is None else name.lower()
    if key not in _FACTORIES:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)} (or None)")
    return _FACTORIES[key](slope)
