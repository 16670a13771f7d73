import torch
from PIL import Image

from latentgan.viz.grid import image_grid, save_image_grid


def test_image_grid_places_images_row_by_row_with_padding():
    images = torch.zeros(5, 1, 4, 6)
    images[3] = 1.0
    grid = image_grid(images, nrow=3, padding=1)
    assert grid.shape == (2 * 5 + 1, 3 * 7 + 1, 1)
    assert grid[1 + 5 + 2, 1 + 2, 0] == 255  # image 3 is row 1, column 0
    assert grid[1 + 2, 1 + 2, 0] == 0


def test_save_image_grid_keeps_its_signature_and_accepts_padding(tmp_path):
    path = save_image_grid(torch.rand(4, 3, 8, 8), tmp_path / "g.png")
    with Image.open(path) as image:
        assert image.size == (2 * 10 + 2, 2 * 10 + 2) and image.mode == "RGB"
    with Image.open(save_image_grid(torch.rand(4, 1, 8, 8), tmp_path / "h.png", nrow=4, padding=0)) as image:
        assert image.size == (32, 8) and image.mode == "L"
