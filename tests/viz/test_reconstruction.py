import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.viz.reconstruction import interleave_pairs, save_reconstruction_grid


def test_grid_size_follows_pairs_per_row(tmp_path):
    originals, recon = torch.rand(16, 1, 28, 28), torch.rand(16, 1, 28, 28)
    path = save_reconstruction_grid(originals, recon, tmp_path / "rec.png", pairs_per_row=8)
    with Image.open(path) as image:
        assert image.size == (2 * 8 * (28 + 2) + 2, 2 * (28 + 2) + 2)


def test_fewer_pairs_than_a_row_make_a_narrower_grid(tmp_path):
    path = save_reconstruction_grid(torch.rand(3, 3, 8, 8), torch.rand(3, 3, 8, 8), tmp_path / "rec.png")
    with Image.open(path) as image:
        assert image.size == (2 * 3 * (8 + 2) + 2, 8 + 2 + 2) and image.mode == "RGB"


def test_originals_and_reconstructions_alternate_by_column(tmp_path):
    originals, recon = torch.zeros(4, 1, 6, 6), torch.full((4, 1, 6, 6), 0.5)
    path = save_reconstruction_grid(originals, recon, tmp_path / "rec.png", pairs_per_row=2)
    pixels = np.asarray(Image.open(path))
    centres = [2 + col * 8 + 3 for col in range(4)]
    for row in range(2):
        values = [pixels[2 + row * 8 + 3, c] for c in centres]
        assert values == [0, 128, 0, 128]


def test_interleave_pairs_orders_each_original_before_its_reconstruction():
    originals, recon = torch.arange(3.0).reshape(3, 1, 1, 1), 10 + torch.arange(3.0).reshape(3, 1, 1, 1)
    assert interleave_pairs(originals, recon).flatten().tolist() == [0, 10, 1, 11, 2, 12]


def test_mismatched_shapes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="same shape"):
        save_reconstruction_grid(torch.rand(4, 1, 8, 8), torch.rand(3, 1, 8, 8), tmp_path / "rec.png")
