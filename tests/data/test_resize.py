import pytest
import torch

from latentgan.data.base import DataError
from latentgan.data.resize import pad_to, resize


def test_pad_to_centres_with_zeros():
    x = torch.full((2, 1, 28, 28), 200, dtype=torch.uint8)
    out = pad_to(x, 32)
    assert out.shape == (2, 1, 32, 32) and out.dtype == torch.uint8
    assert out[:, :, 2:30, 2:30].eq(200).all()
    assert out[:, :, :2].eq(0).all() and out[:, :, 30:].eq(0).all() and out[..., :2].eq(0).all()


def test_pad_to_odd_difference_and_too_small():
    out = pad_to(torch.ones(1, 3, 5, 5, dtype=torch.uint8), 8)
    assert out.shape == (1, 3, 8, 8) and int(out.sum()) == 3 * 25
    with pytest.raises(DataError, match="smaller than the images"):
        pad_to(torch.ones(1, 1, 28, 28, dtype=torch.uint8), 16)


def test_resize_keeps_uint8_and_constant_images():
    x = torch.full((3, 3, 28, 28), 77, dtype=torch.uint8)
    out = resize(x, 64)
    assert out.shape == (3, 3, 64, 64) and out.dtype == torch.uint8 and out.eq(77).all()
    assert resize(x, 28) is x


def test_resize_downsamples_with_antialias():
    checker = (torch.arange(64).view(1, -1) + torch.arange(64).view(-1, 1)) % 2 * 255
    out = resize(checker.to(torch.uint8).expand(1, 1, 64, 64), 16)
    assert (out.int() - 128).abs().max() <= 2  # averaged, not aliased to 0/255


def test_resize_rejects_nonpositive():
    with pytest.raises(DataError):
        resize(torch.zeros(1, 1, 4, 4, dtype=torch.uint8), 0)
