import pytest

from latentgan.metrics.classifier import load_classifier


@pytest.fixture(scope="session")
def classifier_cache(tmp_path_factory):
    """A cache directory holding the mnist5k classifier, trained once for the whole test session."""
    root = tmp_path_factory.mktemp("latentgan-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LATENTGAN_CACHE", str(root))
        load_classifier("mnist5k")
    return root


@pytest.fixture
def mnist_classifier(classifier_cache, monkeypatch):
    """The cached mnist5k classifier (28 px), read from the session's cache directory."""
    monkeypatch.setenv("LATENTGAN_CACHE", str(classifier_cache))
    return load_classifier("mnist5k")


@pytest.fixture(scope="session")
def mnist_test_images():
    """mnist5k's 1,000 test digits as (1000, 1, 28, 28) floats in [0, 1], and their labels."""
    from latentgan.data.registry import load_dataset

    data = load_dataset("mnist5k", split="test")
    return data.x.float() / 255.0, data.y
