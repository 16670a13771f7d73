"""Any directory of images (recursive); first-level subdirectory names become class labels."""

from __future__ import annotations

from pathlib import Path

import torch

from latentgan.data.base import DataError, Dataset
from latentgan.data.images import load_images
from latentgan.data.spec import DatasetSpec, require, require_root

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}


def image_files(root: Path) -> list[Path]:
    """All image files under root, recursively, in sorted path order."""
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())


def folder_labels(root: Path, files: list[Path]) -> tuple[torch.Tensor | None, list[str] | None]:
    """Class index per file from its first-level subdirectory, when every file lies in one; else None."""
    parts = [f.relative_to(root).parts for f in files]
    if any(len(p) < 2 for p in parts):
        return None, None
    names = sorted({p[0] for p in parts})
    index = {name: i for i, name in enumerate(names)}
    return torch.tensor([index[p[0]] for p in parts], dtype=torch.int64), names


def build_folder(root: Path | None, split: str, seed: int, resolution: int = 64, channels: int = 3) -> Dataset:
    """Images centre-cropped to a square and resized to resolution; channels 3 (RGB) or 1 (grayscale)."""
    require(resolution >= 1, f"folder resolution must be >= 1, got {resolution}")
    require(channels in (1, 3), f"folder channels must be 1 (grayscale) or 3 (RGB), got {channels}")
    root = require_root(root, "folder", "image files (png, jpg, jpeg, bmp, webp), optionally in class subdirectories")
    if not root.is_dir():
        raise DataError(f"folder: {root} is not a directory; pass the directory that holds the images")
    files = image_files(root)
    if not files:
        raise DataError(f"folder: no image files ({', '.join(sorted(EXTENSIONS))}) under {root}")
    y, names = folder_labels(root, files)
    x = load_images(files, resolution, channels)
    return Dataset(name="folder", x=x, y=y, class_names=names, info={"root": str(root), "files": len(files)})


SPECS = [
    DatasetSpec(
        name="folder", kind="image",
        description="any directory of images, centre-cropped and resized; subdirectories become classes",
        source="your own images (png, jpg, jpeg, bmp, webp) anywhere under root, searched recursively",
        builder=build_folder, options={"resolution": 64, "channels": 3}, splits=("train",),
        locate=lambda root: root if root is not None and root.is_dir() else None,
    ),
]
