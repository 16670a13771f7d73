import numpy as np
import pytest
import torch
from PIL import Image

from latentgan.viz.interpolation import interpolate_codes, interpolation_paths, save_interpolation_grid


@pytest.mark.parametrize("mode", ["linear", "slerp"])
def test_endpoints_equal_the_codes(mode):
    g = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(16, generator=g), torch.randn(16, generator=g)
    path = interpolate_codes(z0, z1, 7, mode)
    assert path.shape == (7, 16) and path.dtype == z0.dtype
    torch.testing.assert_close(path[0], z0)
    torch.testing.assert_close(path[-1], z1)


def test_linear_path_is_evenly_spaced():
    path = interpolate_codes(torch.zeros(2), torch.tensor([4.0, -4.0]), 5)
    torch.testing.assert_close(path[:, 0], torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0]))


def test_slerp_keeps_the_norm_of_equal_norm_codes_and_linear_does_not():
    g = torch.Generator().manual_seed(1)
    z0, z1 = torch.randn(64, generator=g), torch.randn(64, generator=g)
    z1 = z1 / z1.norm() * z0.norm()
    torch.testing.assert_close(interpolate_codes(z0, z1, 9, "slerp").norm(dim=1), z0.norm().expand(9))
    assert interpolate_codes(z0, z1, 9, "linear").norm(dim=1)[4] < 0.9 * z0.norm()


def test_slerp_of_parallel_codes_falls_back_to_linear():
    z0 = torch.tensor([1.0, 2.0])
    torch.testing.assert_close(interpolate_codes(z0, 3 * z0, 3, "slerp"), interpolate_codes(z0, 3 * z0, 3))


def test_codes_of_any_shape_keep_it():
    assert interpolate_codes(torch.randn(8, 1, 1), torch.randn(8, 1, 1), 4).shape == (4, 8, 1, 1)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="mode"):
        interpolate_codes(torch.zeros(2), torch.ones(2), 4, "cubic")
    with pytest.raises(ValueError, match="steps"):
        interpolate_codes(torch.zeros(2), torch.ones(2), 1)
    with pytest.raises(ValueError, match=r"\(P, 2, d\)"):
        interpolation_paths(torch.zeros(3, 3, 2), 4)


def _brightness_decoder(codes):
    """Images whose every pixel is the code's first entry: (M, d) in [-1, 1] -> (M, 1, 4, 4)."""
    return codes[:, :1, None, None].expand(-1, 1, 4, 4).clone()


def test_grid_has_one_row_per_pair_decoded_along_the_path(tmp_path):
    pairs = torch.tensor([[[-1.0, 0.0], [1.0, 0.0]], [[1.0, 5.0], [-1.0, 5.0]]])  # (P=2, 2, d=2)
    path = save_interpolation_grid(_brightness_decoder, pairs, tmp_path / "i.png", steps=5)
    pixels = np.asarray(Image.open(path))
    assert pixels.shape == (2 * (4 + 2) + 2, 5 * (4 + 2) + 2)
    row0 = [pixels[4, 2 + c * 6 + 2] for c in range(5)]
    row1 = [pixels[10, 2 + c * 6 + 2] for c in range(5)]
    assert row0 == sorted(row0) and row0[0] == 0 and row0[-1] == 255  # -1 -> black, 1 -> white
    assert row1 == sorted(row1, reverse=True)


def test_endpoint_images_frame_each_row(tmp_path):
    pairs = torch.zeros(3, 2, 2)
    endpoints = torch.ones(3, 2, 1, 4, 4)  # white in value range (-1, 1)
    path = save_interpolation_grid(_brightness_decoder, pairs, tmp_path / "i.png", steps=4, endpoints=endpoints)
    pixels = np.asarray(Image.open(path))
    assert pixels.shape == (3 * 6 + 2, 6 * 6 + 2)
    assert pixels[4, 4] == 255 and pixels[4, 2 + 6 + 2] == 128 and pixels[4, 2 + 5 * 6 + 2] == 255


def test_decoder_that_returns_points_is_refused(tmp_path):
    with pytest.raises(ValueError, match="images"):
        save_interpolation_grid(lambda z: z, torch.zeros(1, 2, 2), tmp_path / "i.png")
