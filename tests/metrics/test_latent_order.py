import math

import pytest
import torch

from latentgan.metrics.errors import MetricError
from latentgan.metrics.latent_order import default_blocks, latent_order


def _linear_decoder(latent_dim, used, seed=0):
    """(B, latent_dim) -> (B, 1, 8, 8) images that depend on the first `used` coordinates only."""
    weight = torch.randn(used, 64, generator=torch.Generator().manual_seed(seed))
    return lambda z: torch.tanh(z[:, :used] @ weight / math.sqrt(used)).view(-1, 1, 8, 8)


def test_default_blocks_double_and_clip():
    assert default_blocks(256) == [(1, 8), (9, 16), (17, 32), (33, 64), (65, 128), (129, 256)]
    assert default_blocks(100)[-2:] == [(33, 64), (65, 100)]
    assert default_blocks(10) == [(1, 8), (9, 10)]
    assert default_blocks(3) == [(1, 1), (2, 2), (3, 3)]


def test_decoder_using_only_the_first_block_is_ordered():
    result = latent_order(_linear_decoder(32, used=8), latent_dim=32)
    assert list(result) == ["latent_order_block_1-8", "latent_order_block_9-16", "latent_order_block_17-32",
                            "latent_order_first_last_ratio"]
    assert result["latent_order_block_1-8"] > 0.3
    assert result["latent_order_block_9-16"] == 0.0 and result["latent_order_block_17-32"] == 0.0
    assert result["latent_order_first_last_ratio"] == float("inf")


def test_decoder_weighting_all_coordinates_equally_has_ratio_near_one():
    result = latent_order(_linear_decoder(16, used=16), latent_dim=16, n_references=16, n_resamples=32)
    assert result["latent_order_first_last_ratio"] == pytest.approx(1.0, abs=0.15)
    per_dim = latent_order(_linear_decoder(4, used=4), latent_dim=4, prior="uniform", n_references=16)
    assert set(per_dim) == {f"latent_order_block_{i}" for i in range(1, 5)} | {"latent_order_first_last_ratio"}
    assert per_dim["latent_order_first_last_ratio"] == pytest.approx(1.0, abs=0.35)


def test_seeded_custom_blocks_and_bad_arguments():
    decode = _linear_decoder(12, used=12)
    a = latent_order(decode, 12, blocks=[(1, 4), (5, 12)], seed=3)
    assert a == latent_order(decode, 12, blocks=[(1, 4), (5, 12)], seed=3)
    assert a != latent_order(decode, 12, blocks=[(1, 4), (5, 12)], seed=4)
    with pytest.raises(MetricError, match="within 1..12"):
        latent_order(decode, 12, blocks=[(0, 4)])
    with pytest.raises(MetricError, match="normal, uniform"):
        latent_order(decode, 12, prior="cauchy")
