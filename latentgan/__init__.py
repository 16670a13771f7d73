"""latentgan: generative models whose latent space is learned, inverted and structured.

The package's names load lazily (PEP 562): `import latentgan.nn.mlp` loads the networks alone, and the trainer
is imported only when `latentgan.train(...)` or another entry point of latentgan.api is first asked for.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

_LAZY = {
    "build_model": "latentgan.api",
    "load": "latentgan.api",
    "resume": "latentgan.api",
    "load_data": "latentgan.data.from_config",
    "Run": "latentgan.run",
    "DataConfig": "latentgan.config",
    "RunConfig": "latentgan.config",
    "TrainConfig": "latentgan.config",
    "load_config": "latentgan.config",
}

__all__ = ["__version__", "train", *_LAZY]


class _Package(types.ModuleType):
    """The package module, whose `train` is always the entry point latentgan.api.train.

    Importing the subpackage latentgan.train makes Python set the attribute `train` on its parent; the
    property keeps the function there (as the eager import did), and the subpackage stays in sys.modules.
    """

    @property
    def train(self):
        """latentgan.api.train: train a config into a run directory."""
        from latentgan.api import train

        return train

    @train.setter
    def train(self, value: object) -> None:
        """Ignore the import system binding the subpackage latentgan.train here."""


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    """Import the module that defines a public name on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'latentgan' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not."""
    return sorted(set(globals()) | set(_LAZY) | {"train"})
