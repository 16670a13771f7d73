import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.cifar import CLASSES, read_batch


def _batch(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {b"batch_label": b"batch", b"labels": [int(v) for v in rng.integers(0, 10, n)],
            b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
            b"filenames": [b"f%d.png" % i for i in range(n)]}


def write_cifar(root: Path, n: int = 4, protocol: int = 2) -> Path:
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        with open(folder / name, "wb") as handle:
            pickle.dump(_batch(n, i), handle, protocol=protocol)
    with open(folder / "batches.meta", "wb") as handle:
        pickle.dump({b"label_names": [c.encode() for c in CLASSES], b"num_vis": 3072}, handle, protocol=protocol)
    return folder


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_cifar_loads_batches(tmp_path: Path, protocol: int):
    folder = write_cifar(tmp_path, protocol=protocol)
    train = load_dataset("cifar10", root=tmp_path)
    assert train.x.shape == (20, 3, 32, 32) and train.x.dtype == torch.uint8 and train.y.dtype == torch.int64
    expected = _batch(4, 0)
    assert torch.equal(train.x[:4], torch.from_numpy(expected[b"data"].reshape(4, 3, 32, 32)))
    assert train.y[:4].tolist() == expected[b"labels"] and train.class_names == CLASSES
    test = load_dataset("cifar10", root=folder, split="test", resize=16)
    assert test.x.shape == (4, 3, 16, 16)


def test_truncated_pickle(tmp_path: Path):
    folder = write_cifar(tmp_path)
    data = (folder / "test_batch").read_bytes()
    (folder / "test_batch").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="not a valid CIFAR-10 python batch"):
        load_dataset("cifar10", root=tmp_path, split="test")


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_malicious_pickle_refused(tmp_path: Path):
    path = tmp_path / "evil"
    path.write_bytes(pickle.dumps({b"data": _Exploit()}))
    with pytest.raises(DataError, match=r"refusing to load (posix|os|nt)\.system"):
        read_batch(path)


def test_wrong_shapes_and_keys(tmp_path: Path):
    folder = write_cifar(tmp_path)
    bad = _batch(4, 0)
    bad[b"data"] = bad[b"data"][:, :100]
    (folder / "data_batch_2").write_bytes(pickle.dumps(bad))
    with pytest.raises(DataError, match=r"expected uint8 \(N, 3072\)"):
        load_dataset("cifar10", root=tmp_path)
    (folder / "test_batch").write_bytes(pickle.dumps({b"fine_labels": [1]}))
    with pytest.raises(DataError, match="lacks the 'data' and 'labels'"):
        load_dataset("cifar10", root=tmp_path, split="test")
    (folder / "test_batch").write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(DataError, match="expected the CIFAR batch dict"):
        load_dataset("cifar10", root=tmp_path, split="test")


def test_label_count_mismatch(tmp_path: Path):
    folder = write_cifar(tmp_path)
    bad = _batch(4, 0)
    bad[b"labels"] = bad[b"labels"][:3]
    (folder / "test_batch").write_bytes(pickle.dumps(bad))
    with pytest.raises(DataError, match="4 images but labels of shape"):
        load_dataset("cifar10", root=tmp_path, split="test")


def test_missing_batches(tmp_path: Path):
    with pytest.raises(DataError, match="extract cifar-10-python.tar.gz there, or pass download=True"):
        load_dataset("cifar10", root=tmp_path)
    folder = write_cifar(tmp_path)
    (folder / "data_batch_3").unlink()
    with pytest.raises(DataError, match="data_batch_3 missing"):
        load_dataset("cifar10", root=tmp_path)
