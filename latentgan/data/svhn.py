"""SVHN (cropped 32x32 digits) from the official MATLAB files train_32x32.mat, test_32x32.mat, extra_32x32.mat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io
import torch

from latentgan.data.base import DataError, Dataset
from latentgan.data.spec import DatasetSpec, require_root

SPLIT_FILES = {"train": "train_32x32.mat", "test": "test_32x32.mat", "extra": "extra_32x32.mat"}


def read_svhn_mat(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 3, 32, 32) uint8 and labels (N,) int64 from an SVHN .mat (label 10 means digit 0)."""
    try:
        content = scipy.io.loadmat(path, variable_names=["X", "y"])
    except Exception as err:  # scipy raises ValueError, MatReadError, OSError, ... on damaged files
        raise DataError(f"{path} is not a readable SVHN .mat file ({type(err).__name__}: {err}); "
                        "download it again") from err
    if "X" not in content or "y" not in content:
        raise DataError(f"{path} lacks the 'X' and 'y' variables (found {sorted(k for k in content if k[0] != '_')})")
    images, labels = content["X"], np.asarray(content["y"]).reshape(-1)
    if images.ndim != 4 or images.shape[:3] != (32, 32, 3) or images.dtype != np.uint8:
        raise DataError(f"{path}: X is {images.dtype} {images.shape}, expected uint8 (32, 32, 3, N)")
    if len(labels) != images.shape[3]:
        raise DataError(f"{path}: X holds {images.shape[3]} images but y holds {len(labels)} labels")
    if len(labels) and (labels.min() < 1 or labels.max() > 10):
        raise DataError(f"{path}: labels outside 1..10 (SVHN stores digit 0 as 10)")
    labels = labels.astype(np.int64) % 10
    return np.ascontiguousarray(images.transpose(3, 2, 0, 1)), labels


def locate_svhn(root: Path | None) -> Path | None:
    """root when it holds train_32x32.mat or test_32x32.mat."""
    if root is None:
        return None
    return root if any((root / SPLIT_FILES[s]).is_file() for s in ("train", "test")) else None


def build_svhn(root: Path | None, split: str, seed: int) -> Dataset:
    """SVHN cropped digits, 32x32 RGB: train 73,257 / test 26,032 / extra 531,131."""
    root = require_root(root, "svhn", "train_32x32.mat, test_32x32.mat (and extra_32x32.mat)")
    path = root / SPLIT_FILES[split]
    if not path.is_file():
        raise DataError(f"svhn: {path.name} not found in {root}; download it from "
                        "http://ufldl.stanford.edu/housenumbers/ or pass download=True (--download)")
    x, y = read_svhn_mat(path)
    return Dataset(name="svhn", x=torch.from_numpy(x), y=torch.from_numpy(y),
                   class_names=[str(d) for d in range(10)], info={"file": str(path)})


SPECS = [
    DatasetSpec(
        name="svhn", kind="image", description="SVHN house-number digits (cropped), 32x32 RGB, 10 classes",
        source="train_32x32.mat, test_32x32.mat, extra_32x32.mat in root, from "
               "http://ufldl.stanford.edu/housenumbers/; download=True (--download) fetches the split's file",
        builder=build_svhn, options={}, splits=("train", "test", "extra"), locate=locate_svhn,
    ),
]
