import pytest
import torch

from latentgan.data.registry import load_dataset
from latentgan.metrics.errors import MetricError
from latentgan.metrics.features import ClassifierFeatures
from latentgan.metrics.fid import evaluate_fid, fid_from_features


class PoolExtractor:
    name = "pool4"

    def __call__(self, images):
        return torch.nn.functional.adaptive_avg_pool2d(images, 4).flatten(1)


def test_identical_feature_sets_give_zero():
    features = torch.randn(400, 32, generator=torch.Generator().manual_seed(0))
    assert abs(fid_from_features(features, features.clone())) < 1e-6


def test_growing_noise_raises_classifier_fid_monotonically(mnist_classifier, mnist_test_images):
    extractor = ClassifierFeatures(mnist_classifier)
    real = extractor(mnist_test_images[0])
    clean = load_dataset("mnist5k", split="train").x[:1000].float() / 255.0
    noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(0))
    fids = [fid_from_features(real, extractor((clean + s * noise).clamp(0, 1))) for s in (0.0, 0.1, 0.2, 0.4, 0.8)]
    assert fids == sorted(set(fids)), fids  # strictly increasing
    assert fids[-1] > 10 * fids[0]


@pytest.fixture
def digits(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTGAN_CACHE", str(tmp_path))
    return load_dataset("digits", split="train")


def real_sampler(data, offset=0):
    """Draws the dataset's own images in order, as a perfect generator would."""
    state = {"next": offset}

    def sample(n):
        images = data.x[state["next"]:state["next"] + n].float() / 255.0
        state["next"] += n
        return images
    return sample


def test_evaluate_fid_names_every_result_with_its_count(digits):
    results = evaluate_fid(real_sampler(digits), digits, PoolExtractor(), 500, batch_size=128)
    assert sorted(results) == sorted(f"{m}_pool4@500" for m in ("fid", "kid", "kid_std", "precision", "recall"))
    assert results["fid_pool4@500"] < 0.1 and abs(results["kid_pool4@500"]) < 0.01
    assert results["precision_pool4@500"] > 0.7 and results["recall_pool4@500"] > 0.7


def test_evaluate_fid_with_fewer_real_examples_and_no_extras(digits):
    results = evaluate_fid(real_sampler(digits), digits, PoolExtractor(), 1000, n_real=500, kid=False, pr=False)
    assert list(results) == ["fid_pool4@1k_vs_500"]


def test_a_poor_sampler_scores_worse(digits):
    blank = evaluate_fid(lambda n: torch.zeros(n, 1, 8, 8), digits, PoolExtractor(), 200)
    good = evaluate_fid(real_sampler(digits, offset=600), digits, PoolExtractor(), 200)
    assert blank["fid_pool4@200"] > 10 * good["fid_pool4@200"]
    assert blank["recall_pool4@200"] < 0.05 < good["recall_pool4@200"]


def test_resolution_or_range_mismatch_is_refused(digits):
    with pytest.raises(MetricError, match=r"shape \(50, 1, 16, 16\).*1, 8, 8"):
        evaluate_fid(lambda n: torch.rand(n, 1, 16, 16), digits, PoolExtractor(), 100, batch_size=50)
    with pytest.raises(MetricError, match="in \\[0, 1\\].*to_unit_range"):
        evaluate_fid(lambda n: torch.rand(n, 1, 8, 8) * 2 - 1, digits, PoolExtractor(), 100)
