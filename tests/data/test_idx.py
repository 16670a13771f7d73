import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.idx import FASHION_DEBIAN_DIR, IMAGES_MAGIC, LABELS_MAGIC, read_idx

from .conftest import digit_images, idx_bytes, write_idx, write_mnist_dir


def test_mnist_gz_shapes_labels_and_range(mnist_dir: Path):
    ds = load_dataset("mnist", root=mnist_dir)
    images, labels = digit_images(30, seed=30)
    assert ds.x.shape == (30, 1, 28, 28) and ds.x.dtype == torch.uint8
    assert torch.equal(ds.x[:, 0], torch.from_numpy(images)) and ds.y.tolist() == labels.tolist()
    assert ds.y.dtype == torch.int64 and ds.num_classes == 10 and ds.value_range == (-1.0, 1.0)
    batch, _, _ = ds.batch(torch.arange(4))
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    assert len(load_dataset("mnist", root=mnist_dir, split="test")) == 10


def test_raw_files_and_kmnist_class_names(tmp_path: Path):
    root = write_mnist_dir(tmp_path / "k", compress=False)
    ds = load_dataset("kmnist", root=root, split="test", value_range=(0.0, 1.0))
    assert len(ds) == 10 and ds.class_names[3] == "tsu" and ds.value_range == (0.0, 1.0)


def test_read_idx_rejects_wrong_magic(tmp_path: Path):
    path = write_idx(tmp_path / "labels", np.arange(5) % 10)
    with pytest.raises(DataError, match="magic number 0x00000801, expected 0x00000803"):
        read_idx(path, IMAGES_MAGIC)
    assert read_idx(path, LABELS_MAGIC).tolist() == [0, 1, 2, 3, 4]


def test_read_idx_rejects_truncated_and_trailing_bytes(tmp_path: Path):
    data = idx_bytes(digit_images(4)[0])
    (tmp_path / "short").write_bytes(data[:-10])
    (tmp_path / "long").write_bytes(data + b"\0")
    (tmp_path / "header").write_bytes(data[:8])
    for name in ("short", "long"):
        with pytest.raises(DataError, match="truncated or corrupt"):
            read_idx(tmp_path / name, IMAGES_MAGIC)
    with pytest.raises(DataError, match="shorter than its 16-byte header"):
        read_idx(tmp_path / "header", IMAGES_MAGIC)


def test_damaged_gzip(tmp_path: Path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(idx_bytes(digit_images(4)[0]))[:-20])
    with pytest.raises(DataError, match="damaged gzip"):
        read_idx(path, IMAGES_MAGIC)


def test_count_mismatch(tmp_path: Path):
    root = write_mnist_dir(tmp_path / "m")
    write_idx(root / "train-labels-idx1-ubyte", np.zeros(29, dtype=np.uint8))
    with pytest.raises(DataError, match="30 images but train-labels-idx1-ubyte.gz holds 29 labels"):
        load_dataset("mnist", root=root)


def test_missing_file_and_missing_root(tmp_path: Path):
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz .* not found .*download=True"):
        load_dataset("mnist", root=tmp_path)
    with pytest.raises(DataError, match="mnist needs its files: pass --data-root DIR"):
        load_dataset("mnist")
    with pytest.raises(DataError, match="does not exist"):
        load_dataset("mnist", root=tmp_path / "nowhere")


def test_fashion_root_and_class_names(mnist_dir: Path):
    ds = load_dataset("fashion-mnist", root=mnist_dir, pad_to=32)
    assert ds.x.shape == (30, 1, 32, 32) and ds.class_names[-1] == "Ankle boot"


@pytest.mark.skipif(not (FASHION_DEBIAN_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_real_debian_fashion_mnist():
    test = load_dataset("fashion-mnist", split="test")
    assert test.x.shape == (10000, 1, 28, 28) and torch.bincount(test.y).tolist() == [1000] * 10
    assert len(load_dataset("fashion-mnist", limit=100)) == 100


def _write_emnist(root: Path, subset: str, labels: np.ndarray) -> np.ndarray:
    images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    images[:, 0, 5] = 255  # stored transposed: row 0, column 5 -> upright row 5, column 0
    for split in ("train", "test"):
        write_idx(root / f"emnist-{subset}-{split}-images-idx3-ubyte", images)
        write_idx(root / f"emnist-{subset}-{split}-labels-idx1-ubyte", labels, compress=False)
    return images


def test_emnist_transposed_and_subsets(tmp_path: Path):
    _write_emnist(tmp_path, "balanced", np.array([0, 10, 46]))
    ds = load_dataset("emnist", root=tmp_path)
    assert ds.x[0, 0, 5, 0] == 255 and ds.x[0, 0, 0, 5] == 0
    assert ds.num_classes == 47 and ds.class_names[46] == "t"
    _write_emnist(tmp_path, "letters", np.array([1, 26]))
    letters = load_dataset("emnist", root=tmp_path, subset="letters", split="test")
    assert letters.y.tolist() == [0, 25] and letters.class_names[25] == "Z"
    with pytest.raises(DataError, match="subset must be one of"):
        load_dataset("emnist", root=tmp_path, subset="nope")


def test_labels_beyond_classes(tmp_path: Path):
    root = write_mnist_dir(tmp_path / "m")
    write_idx(root / "train-labels-idx1-ubyte", np.full(30, 12, dtype=np.uint8))
    with pytest.raises(DataError, match="has label 12"):
        load_dataset("mnist", root=root)


def test_header_dims_are_big_endian(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(struct.pack(">IIII", IMAGES_MAGIC, 2, 3, 4) + bytes(24))
    assert read_idx(path, IMAGES_MAGIC).shape == (2, 3, 4)
