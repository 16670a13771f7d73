import numpy as np
import pytest
import torch

from latentgan.data.registry import load_dataset
from latentgan.metrics import real_stats
from latentgan.metrics.errors import MetricError
from latentgan.metrics.real_stats import format_count, real_statistics, stats_path


class CountingExtractor:
    """Pools each image to 4x4 means (16 features) and counts the images it is asked about."""

    name = "pool4"

    def __init__(self):
        self.images = 0

    def __call__(self, images):
        self.images += images.shape[0]
        return torch.nn.functional.adaptive_avg_pool2d(images, 4).flatten(1)


@pytest.fixture
def digits(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTGAN_CACHE", str(tmp_path))
    return load_dataset("digits", split="train")


def test_second_call_reads_the_cache(digits, tmp_path):
    extractor = CountingExtractor()
    first = real_statistics(extractor, digits, 300, "train")
    assert extractor.images == 300
    second = real_statistics(extractor, digits, 300, "train")
    assert extractor.images == 300  # not called again
    np.testing.assert_array_equal(first["mu"], second["mu"])
    np.testing.assert_array_equal(first["sigma"], second["sigma"])
    assert torch.equal(first["features"], second["features"]) and first["features"].shape == (300, 16)
    assert first["mu"].dtype == np.float64 and first["sigma"].shape == (16, 16) and first["n"] == 300
    files = list((tmp_path / "stats").iterdir())
    assert [f.name for f in files] == [stats_path("pool4", digits, 300, "train").name]
    assert files[0].name.startswith("pool4_digits_train_8x8_n300_")


def test_statistics_use_a_seeded_subset(digits):
    extractor = CountingExtractor()
    stats = real_statistics(extractor, digits, 100, "train", seed=5, cache=False)
    index = torch.randperm(len(digits), generator=torch.Generator().manual_seed(5))[:100]
    expected = extractor(digits.x[index].float() / 255.0)
    torch.testing.assert_close(stats["features"], expected)
    np.testing.assert_allclose(stats["mu"], expected.double().mean(0).numpy(), rtol=1e-6)


def test_each_key_part_gets_its_own_file(digits, tmp_path):
    extractor = CountingExtractor()
    real_statistics(extractor, digits, 200, "train")
    real_statistics(extractor, digits, 100, "train")
    real_statistics(extractor, digits, 100, "heldout")
    real_statistics(extractor, digits, 100, "train", seed=1)
    assert extractor.images == 500 and len(list((tmp_path / "stats").iterdir())) == 4


def test_large_counts_keep_only_mean_and_covariance(digits, monkeypatch):
    monkeypatch.setattr(real_stats, "KEEP_FEATURES_UP_TO", 100)
    extractor = CountingExtractor()
    assert "features" not in real_statistics(extractor, digits, 101, "train")
    assert "features" not in real_statistics(extractor, digits, 101, "train") and extractor.images == 101


def test_a_corrupt_cache_file_is_computed_again(digits):
    extractor = CountingExtractor()
    real_statistics(extractor, digits, 50, "train")
    stats_path("pool4", digits, 50, "train").write_bytes(b"garbage")
    real_statistics(extractor, digits, 50, "train")
    assert extractor.images == 100


def test_too_many_examples_are_refused(digits):
    with pytest.raises(MetricError, match="n <= 1500"):
        real_statistics(CountingExtractor(), digits, 5000, "train")


def test_format_count():
    assert [format_count(n) for n in (10_000, 1000, 50_000, 500, 2500)] == ["10k", "1k", "50k", "500", "2500"]
