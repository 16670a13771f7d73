from pathlib import Path

import pytest
import torch
from PIL import Image

from latentgan.data import load_dataset
from latentgan.data.base import DataError
from latentgan.data.folder import image_files


def _save(path: Path, value: int, size=(12, 10)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (value, value, value)).save(path)


def test_subdirectories_become_classes(tmp_path: Path):
    _save(tmp_path / "cats" / "b.png", 10)
    _save(tmp_path / "cats" / "deep" / "a.jpg", 20)
    _save(tmp_path / "dogs" / "c.PNG", 30)
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    ds = load_dataset("folder", root=tmp_path, resolution=8)
    assert ds.x.shape == (3, 3, 8, 8) and ds.x.dtype == torch.uint8
    assert ds.class_names == ["cats", "dogs"] and ds.y.tolist() == [0, 0, 1]
    assert [p.name for p in image_files(tmp_path)] == ["b.png", "a.jpg", "c.PNG"]


def test_flat_folder_grayscale_without_labels(tmp_path: Path):
    for i in range(3):
        _save(tmp_path / f"{i}.bmp", 50 * i)
    ds = load_dataset("folder", root=tmp_path, resolution="4", channels=1)
    assert ds.x.shape == (3, 1, 4, 4) and ds.y is None and ds.x[2].eq(100).all()


def test_folder_errors(tmp_path: Path):
    with pytest.raises(DataError, match="no image files"):
        load_dataset("folder", root=tmp_path)
    (tmp_path / "bad.png").write_bytes(b"garbage")
    with pytest.raises(DataError, match="bad.png"):
        load_dataset("folder", root=tmp_path)
    with pytest.raises(DataError, match="channels must be 1"):
        load_dataset("folder", root=tmp_path, channels=2)
    with pytest.raises(DataError, match="folder needs its files: pass --data-root DIR"):
        load_dataset("folder")
    with pytest.raises(DataError, match="not a directory"):
        load_dataset("folder", root=tmp_path / "bad.png")
