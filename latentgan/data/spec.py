"""The record that describes one dataset, and the small checks its builder shares with the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from latentgan.data.base import DataError, Dataset


@dataclass(frozen=True)
class DatasetSpec:
    """One loadable dataset: what it is, where its files come from and how to build it.

    builder(root, split, seed, **options) returns a Dataset of uint8 images (N, C, H, W) or
    float32 points (N, D). locate(root) returns the local file or directory the builder would
    read, or None when it is not there; generated datasets have no locate.
    """

    name: str
    kind: str
    description: str
    source: str
    builder: Callable[..., Dataset]
    options: dict[str, Any]
    splits: tuple[str, ...] = ("train", "test")
    locate: Callable[[Path | None], Path | None] | None = None
    # A dataset built from another registered one: its builder is handed the registry's load_dataset as `load`.
    derived: bool = False


def require(condition: bool, message: str) -> None:
    """Raise DataError(message) unless condition holds."""
    if not condition:
        raise DataError(message)


def require_root(root: Path | None, name: str, expected: str) -> Path:
    """Return root, or explain which files the dataset expects when no root was given."""
    if root is None:
        raise DataError(f"{name} needs its files: pass --data-root DIR (or set data.root), a directory holding "
                        f"{expected}")
    return root
