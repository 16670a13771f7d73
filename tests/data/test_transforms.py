import pytest
import torch

from latentgan.data.transforms import RandomTransform, TransformConfig


def _square(n=4, size=16, value_range=(-1.0, 1.0)):
    x = torch.full((n, 1, size, size), value_range[0])
    x[:, :, 6:10, 6:10] = value_range[1]
    return x


def test_integer_shift_moves_the_pattern_by_whole_pixels():
    x = _square(n=64)
    y = RandomTransform(TransformConfig(shift=2))(x, torch.Generator().manual_seed(0))
    ones = (y > 0.5).float()
    rows = (ones.sum(dim=(1, 3)) > 0).float().argmax(dim=1) - 6  # first lit row minus the original
    assert set(rows.tolist()) <= {-2, -1, 0, 1, 2} and len(set(rows.tolist())) > 2
    assert torch.allclose(ones.sum(dim=(1, 2, 3)), torch.full((64,), 16.0))  # nothing lost or blurred


def test_background_fills_uncovered_pixels_in_either_range():
    for value_range in ((-1.0, 1.0), (0.0, 1.0)):
        x = torch.full((2, 1, 8, 8), value_range[1])
        y = RandomTransform(TransformConfig(rotate=45), value_range)(x, torch.Generator().manual_seed(1))
        assert y.min().item() == pytest.approx(value_range[0], abs=1e-5)  # corners outside the rotated image


def test_same_seed_same_transforms_and_identity_when_off():
    x = torch.rand(8, 3, 16, 16) * 2 - 1
    t = RandomTransform(TransformConfig(shift=3, rotate=20, flip=True, brightness=0.1, contrast=0.2, hue=0.1))
    a = t(x, torch.Generator().manual_seed(5))
    assert torch.equal(a, t(x, torch.Generator().manual_seed(5)))
    assert not torch.equal(a, t(x, torch.Generator().manual_seed(6)))
    assert torch.equal(RandomTransform(TransformConfig())(x), x)
    assert a.min() >= -1 and a.max() <= 1


def test_flip_mirrors_exactly():
    x = torch.rand(32, 1, 8, 8)
    y = RandomTransform(TransformConfig(flip=True), (0.0, 1.0))(x, torch.Generator().manual_seed(0))
    flipped = torch.isclose(y, x.flip(-1), atol=1e-5).flatten(1).all(1)
    same = torch.isclose(y, x, atol=1e-5).flatten(1).all(1)
    assert (flipped | same).all() and flipped.any() and same.any()


def test_hue_rotation_keeps_grey_and_luminance():
    grey = torch.full((4, 3, 4, 4), 0.3)
    t = RandomTransform(TransformConfig(hue=0.5))
    assert torch.allclose(t(grey, torch.Generator().manual_seed(0)), grey, atol=1e-5)
    colour = torch.rand(4, 3, 4, 4) * 0.5
    out = t(colour, torch.Generator().manual_seed(0))
    lum = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    assert torch.allclose((out * lum).sum(1), (colour * lum).sum(1), atol=1e-4)


def test_gaussian_shift_has_half_the_covariance():
    points = torch.zeros(20000, 2)
    cov = ((0.04, 0.01), (0.01, 0.02))
    shifted = RandomTransform(TransformConfig(point_cov=cov))(points, torch.Generator().manual_seed(0))
    assert torch.allclose(torch.cov(shifted.T), torch.tensor(cov) / 2, atol=1e-3)


def test_bad_strengths_are_refused():
    with pytest.raises(ValueError, match="shift must be >= 0"):
        TransformConfig(shift=-1)
    with pytest.raises(ValueError, match="hue"):
        TransformConfig(hue=2.0)
