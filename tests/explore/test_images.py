"""Model images to PNG and back, and the checks every upload passes before it reaches a model."""

import io
import re

import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.explore.images import ImageRefused, data_urls, pixels_of_data_url, read_upload, to_uint8
from latentgan.viz.grid import image_grid


def _file(array: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def test_pixels_round_like_the_saved_grids_and_survive_the_png_round_trip():
    images = torch.rand(3, 3, 5, 7) * 2 - 1
    pixels = to_uint8(images, (-1.0, 1.0))
    assert pixels.shape == (3, 5, 7, 3)
    grid = image_grid((images[:1] + 1) / 2, nrow=1, padding=0)
    np.testing.assert_array_equal(pixels[0], grid)  # same rounding as the training sample grids
    for url, want in zip(data_urls(images, (-1.0, 1.0)), pixels, strict=True):
        np.testing.assert_array_equal(pixels_of_data_url(url), want)
    with pytest.raises(ValueError, match="not a PNG data URL"):
        pixels_of_data_url("data:text/plain;base64,aGk=")


def test_an_rgb_upload_is_read_in_the_models_value_range():
    array = np.random.default_rng(0).integers(0, 256, (8, 6, 3), dtype=np.uint8)
    x = read_upload(_file(array), (3, 8, 6), (0.0, 1.0))
    assert x.shape == (1, 3, 8, 6)
    torch.testing.assert_close(x[0].permute(1, 2, 0), torch.from_numpy(array).float() / 255)
    np.testing.assert_array_equal(to_uint8(x, (0.0, 1.0))[0], array)


def test_a_black_and_white_png_counts_as_grayscale():
    image = Image.fromarray(np.eye(4, dtype=bool))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    x = read_upload(buffer.getvalue(), (1, 4, 4), (-1.0, 1.0))
    torch.testing.assert_close(x[0, 0], torch.eye(4) * 2 - 1)


@pytest.mark.parametrize("data, shape, status, message", [
    (_file(np.zeros((8, 8), np.uint8)), (3, 8, 8), 400, "RGB (3 channels)"),
    (_file(np.zeros((8, 8, 3), np.uint8), "BMP"), (3, 8, 8), 415, "this is BMP"),
    (_file(np.zeros((8, 9, 3), np.uint8)), (3, 8, 8), 400, "8x8 px images; the upload is 9x8 px"),
    (b"GIF89a not really", (3, 8, 8), 415, "not a readable"),
], ids=["gray-for-rgb", "bmp", "wrong-size", "garbage"])
def test_uploads_of_the_wrong_kind_are_refused_with_what_the_model_needs(data, shape, status, message):
    with pytest.raises(ImageRefused, match=re.escape(message)) as refused:
        read_upload(data, shape, (-1.0, 1.0))
    assert refused.value.status == status
