from pathlib import Path

import pytest
import torch
from PIL import Image

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.celeba import cache_path, read_attributes

NAMES = ["Smiling", "Young", "Male"]


def write_celeba(root: Path, n: int = 5, values=None) -> Path:
    (root / "img_align_celeba").mkdir(parents=True)
    rows, parts = [], []
    for i in range(1, n + 1):
        name = f"{i:06d}.jpg"
        Image.new("RGB", (178, 218), (40 * i, 0, 0)).save(root / "img_align_celeba" / name)
        attrs = values or [1 if (i + k) % 2 else -1 for k in range(len(NAMES))]
        rows.append(f"{name}  " + " ".join(f"{v:2d}" for v in attrs))
        parts.append(f"{name} {0 if i <= 3 else (1 if i == 4 else 2)}")
    (root / "list_attr_celeba.txt").write_text(f"{n}\n" + " ".join(NAMES) + "\n" + "\n".join(rows) + "\n")
    (root / "list_eval_partition.txt").write_text("\n".join(parts) + "\n")
    return root


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LATENTGAN_CACHE", str(tmp_path / "cache"))


def test_celeba_splits_attributes_and_resolution(tmp_path: Path):
    root = write_celeba(tmp_path / "celeba")
    train = load_dataset("celeba", root=root, resolution=32)
    assert train.x.shape == (3, 3, 32, 32) and train.x.dtype == torch.uint8
    assert train.y.shape == (3, 3) and train.y.dtype == torch.float32 and train.class_names == NAMES
    assert set(train.y.unique().tolist()) <= {0.0, 1.0} and train.y[0].tolist() == [1.0, 0.0, 1.0]
    assert abs(int(train.x[1, 0, 16, 16]) - 80) <= 2 and train.num_classes is None
    assert len(load_dataset("celeba", root=root, split="valid", resolution=32)) == 1
    assert len(load_dataset("celeba", root=root, split="all", resolution=32)) == 5


def test_celeba_cache_is_written_and_reused(tmp_path: Path):
    root = write_celeba(tmp_path / "celeba")
    first = load_dataset("celeba", root=root, split="test", resolution=32)
    cache = cache_path(root, "test", 32)
    assert cache.is_file() and not list(cache.parent.glob("*.tmp"))
    torch.save(torch.full_like(first.x, 7), cache)  # a valid cache is trusted as is
    assert load_dataset("celeba", root=root, split="test", resolution=32).x.eq(7).all()
    cache.write_bytes(b"damaged")  # a damaged one is rebuilt
    assert torch.equal(load_dataset("celeba", root=root, split="test", resolution=32).x, first.x)
    nocache = load_dataset("celeba", root=root, split="valid", resolution=32, cache=False)
    assert len(nocache) == 1 and not cache_path(root, "valid", 32).exists()


def test_celeba_errors(tmp_path: Path):
    with pytest.raises(DataError, match="img_align_celeba not found"):
        load_dataset("celeba", root=tmp_path)
    root = write_celeba(tmp_path / "c")
    with pytest.raises(DataError, match=r"resolution must be one of \(32, 64, 128\)"):
        load_dataset("celeba", root=root, resolution=48)
    (root / "img_align_celeba" / "000002.jpg").unlink()
    with pytest.raises(DataError, match="000002.jpg listed in list_eval_partition.txt is missing"):
        load_dataset("celeba", root=root, resolution=32)
    (root / "list_eval_partition.txt").unlink()
    with pytest.raises(DataError, match="list_eval_partition.txt not found"):
        load_dataset("celeba", root=root, resolution=32)


def test_attribute_file_checks(tmp_path: Path):
    path = tmp_path / "attrs.txt"
    path.write_text("2\nA B\n000001.jpg 1 -1\n")
    with pytest.raises(DataError, match="announces 2 images but lists 1"):
        read_attributes(path)
    path.write_text("1\nA B\n000001.jpg 1 0\n")
    with pytest.raises(DataError, match="line 3"):
        read_attributes(path)
