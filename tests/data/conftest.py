"""Writers of small dataset files in the exact published formats, shared by the data tests."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file: magic 0x0000080D (D = ndim), big-endian dims, then the bytes."""
    header = struct.pack(">I", 0x800 + array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    """Write array as an IDX file, gzipped when compress (path gets .gz appended)."""
    data = idx_bytes(array)
    if compress:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def digit_images(n: int, seed: int = 0, size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """n random uint8 images (n, size, size) with labels cycling 0..9."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, size, size), dtype=np.uint8), np.arange(n) % 10


def write_mnist_dir(root: Path, n_train: int = 30, n_test: int = 10, compress: bool = True) -> Path:
    """An MNIST-layout directory with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]."""
    root.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images, labels = digit_images(n, seed=n)
        write_idx(root / f"{prefix}-images-idx3-ubyte", images, compress)
        write_idx(root / f"{prefix}-labels-idx1-ubyte", labels, compress)
    return root


@pytest.fixture
def mnist_dir(tmp_path: Path) -> Path:
    """A small MNIST-format directory (30 train, 10 test images, gzipped)."""
    return write_mnist_dir(tmp_path / "mnist")
