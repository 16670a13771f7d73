from pathlib import Path

import numpy as np
import pytest
import scipy.io
import torch

from latentgan.data import load_dataset
from latentgan.data.base import DataError


def write_svhn(root: Path, name: str = "train_32x32.mat", n: int = 5) -> np.ndarray:
    images = np.random.default_rng(0).integers(0, 256, size=(32, 32, 3, n), dtype=np.uint8)
    labels = (np.arange(n) % 10 + 1).reshape(n, 1).astype(np.uint8)
    scipy.io.savemat(root / name, {"X": images, "y": labels})
    return images


def test_svhn_layout_and_label_ten_is_zero(tmp_path: Path):
    images = write_svhn(tmp_path, n=12)
    ds = load_dataset("svhn", root=tmp_path)
    assert ds.x.shape == (12, 3, 32, 32) and ds.x.dtype == torch.uint8
    assert torch.equal(ds.x[2], torch.from_numpy(images[:, :, :, 2]).permute(2, 0, 1))
    assert ds.y.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2] and ds.y.dtype == torch.int64


def test_svhn_extra_split_and_missing_file(tmp_path: Path):
    write_svhn(tmp_path, "extra_32x32.mat", n=3)
    assert len(load_dataset("svhn", root=tmp_path, split="extra")) == 3
    with pytest.raises(DataError, match="test_32x32.mat not found .*download=True"):
        load_dataset("svhn", root=tmp_path, split="test")


def test_svhn_bad_files(tmp_path: Path):
    scipy.io.savemat(tmp_path / "train_32x32.mat", {"y": np.ones((3, 1))})
    with pytest.raises(DataError, match="lacks the 'X' and 'y' variables"):
        load_dataset("svhn", root=tmp_path)
    (tmp_path / "train_32x32.mat").write_bytes(b"not a mat file at all" * 20)
    with pytest.raises(DataError, match="not a readable SVHN .mat file"):
        load_dataset("svhn", root=tmp_path)
    scipy.io.savemat(tmp_path / "train_32x32.mat", {"X": np.zeros((32, 32, 3, 2), np.uint8), "y": np.ones((3, 1))})
    with pytest.raises(DataError, match="2 images but y holds 3"):
        load_dataset("svhn", root=tmp_path)
    scipy.io.savemat(tmp_path / "train_32x32.mat", {"X": np.zeros((28, 28, 2), np.uint8), "y": np.ones((2, 1))})
    with pytest.raises(DataError, match=r"expected uint8 \(32, 32, 3, N\)"):
        load_dataset("svhn", root=tmp_path)
