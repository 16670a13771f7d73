"""Import every module of a package, so registries fill themselves without a hand-kept list."""

from __future__ import annotations

import importlib
import pkgutil


def import_submodules(package_name: str) -> None:
    """Import all direct submodules of a package (each registers what it defines)."""
    package = importlib.import_module(package_name)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package_name}.{info.name}")


def registry_function(module_name: str, name: str):
    """A function of a registry in a higher layer, found by name when first called.

    The config loader (bottom layer) validates model and metric names this way: a late binding, not an import
    of the layers above, so reading a config loads a registry only when the config names something in it.
    """
    return getattr(importlib.import_module(module_name), name)
