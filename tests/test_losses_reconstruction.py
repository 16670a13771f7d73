import pytest
import torch
import torch.nn.functional as F

from latentgan.losses import lap1_loss, laplacian_collapse, laplacian_pyramid, max_pyramid_levels, mse_loss


def _images(n=4, c=3, h=32, w=32, seed=0):
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.mark.parametrize("h,w", [(32, 32), (28, 28), (64, 48)])
def test_default_levels_stop_at_four_pixels(h, w):
    pyramid = laplacian_pyramid(_images(2, 1, h, w))
    assert len(pyramid) == max_pyramid_levels(h, w) + 1
    assert 4 <= min(pyramid[-1].shape[-2:]) < 8
    assert max_pyramid_levels(28, 28) == 3 and max_pyramid_levels(64, 64) == 4


@pytest.mark.parametrize("c,h,w,levels", [(1, 32, 32, None), (3, 28, 28, None), (5, 13, 9, 2), (2, 64, 64, 0)])
def test_pyramid_collapses_to_the_image_for_any_channels_and_odd_sizes(c, h, w, levels):
    x = _images(3, c, h, w)
    pyramid = laplacian_pyramid(x, levels)
    assert [p.shape[1] for p in pyramid] == [c] * len(pyramid)
    assert torch.allclose(laplacian_collapse(pyramid), x, atol=1e-5)


def test_band_pass_levels_of_a_constant_image_are_zero():
    pyramid = laplacian_pyramid(torch.full((1, 2, 15, 17), 0.3))
    assert all(p.abs().max() < 1e-6 for p in pyramid[:-1])
    assert torch.allclose(pyramid[-1], torch.full_like(pyramid[-1], 0.3))


def test_identical_images_give_zero_and_different_images_positive():
    x, y = _images(seed=0), _images(seed=1)
    assert lap1_loss(x, x).item() == 0.0 and mse_loss(x, x).item() == 0.0
    assert lap1_loss(x, y).item() > 0 and mse_loss(x, y).item() > 0


def test_lap1_is_a_scaled_sum_of_per_level_l1():
    x, y = _images(2, 1, 32, 32, seed=0), _images(2, 1, 32, 32, seed=1)
    per_level = [(a - b).abs().mean() for a, b in zip(laplacian_pyramid(x, 3), laplacian_pyramid(y, 3), strict=True)]
    # 32 divides by 2^3, so 2^{2j} * sum_j / (H*W) equals the plain sum of per-level means.
    assert lap1_loss(x, y, levels=3).item() == pytest.approx(float(sum(per_level)), rel=1e-5)


def test_blur_changes_fine_levels_more_than_coarse():
    x = _images(4, 1, 32, 32)
    blurred = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
    diffs = [(a - b).abs().mean().item() for a, b in zip(laplacian_pyramid(x), laplacian_pyramid(blurred), strict=True)]
    assert diffs[0] > diffs[1] > diffs[-1]


def test_reduction_none_gives_per_example_values():
    x, y = _images(seed=0), _images(seed=1)
    y[0] = x[0]
    per = lap1_loss(x, y, reduction="none")
    assert per.shape == (4,) and per[0] == 0 and torch.allclose(per.mean(), lap1_loss(x, y))
    mse = mse_loss(x, y, reduction="none")
    assert torch.allclose(mse[1], ((x[1] - y[1]) ** 2).mean()) and mse[0] == 0


def test_lap1_has_gradients_and_rejects_bad_input():
    x, y = _images(seed=0).requires_grad_(True), _images(seed=1)
    lap1_loss(x, y).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="equal shapes"):
        lap1_loss(x, y[:, :2])
    with pytest.raises(ValueError, match="N, C, H, W"):
        laplacian_pyramid(torch.zeros(3, 8))
    with pytest.raises(ValueError, match="reduction"):
        mse_loss(y, y, reduction="sum")
