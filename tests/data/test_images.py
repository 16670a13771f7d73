from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.data.base import DataError
from latentgan.data.images import centre_box, load_image, load_images


def test_centre_box_celeba_geometry():
    assert centre_box(178, 218, 140 / 178) == (19, 39, 159, 179)
    assert centre_box(10, 4) == (3, 0, 7, 4)


def test_load_image_crops_centre_and_resizes(tmp_path: Path):
    array = np.zeros((20, 40, 3), dtype=np.uint8)
    array[:, 10:30] = (255, 0, 0)  # the centre 20x20 square is pure red
    Image.fromarray(array).save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png", 8)
    assert out.shape == (3, 8, 8) and out.dtype == np.uint8
    assert (out[0] == 255).all() and (out[1:] == 0).all()
    grey = load_image(tmp_path / "a.png", 4, channels=1)
    assert grey.shape == (1, 4, 4)


def test_load_images_stacks_in_order(tmp_path: Path):
    paths = []
    for value in (10, 20, 30):
        paths.append(tmp_path / f"{value}.png")
        Image.new("L", (6, 6), value).save(paths[-1])
    x = load_images(paths, 3, channels=1)
    assert x.shape == (3, 1, 3, 3) and x.dtype == torch.uint8
    assert x[:, 0, 0, 0].tolist() == [10, 20, 30]


def test_unreadable_image_names_file(tmp_path: Path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.raises(DataError, match="broken.jpg"):
        load_images([bad], 4)
