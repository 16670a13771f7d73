import pytest
import torch

from latentgan.metrics import classifier as classifier_module
from latentgan.metrics.classifier import DigitClassifier, classifier_path, load_classifier, train_classifier
from latentgan.metrics.errors import MetricError


def test_cached_mnist5k_classifier_is_accurate(mnist_classifier):
    assert mnist_classifier.test_accuracy > 0.95
    assert not mnist_classifier.training and mnist_classifier.dataset == "mnist5k"


def test_second_load_reads_the_cache_without_training(mnist_classifier, classifier_cache, monkeypatch):
    assert classifier_path("mnist5k", 28).parent == classifier_cache / "classifiers"
    monkeypatch.setattr(classifier_module, "train_classifier", lambda *a, **k: pytest.fail("trained again"))
    again = load_classifier("mnist5k")
    assert again.test_accuracy == mnist_classifier.test_accuracy
    for name, value in mnist_classifier.state_dict().items():
        assert torch.equal(value, again.state_dict()[name]), name


def test_predictions_and_features_on_real_digits(mnist_classifier, mnist_test_images):
    images, labels = mnist_test_images
    predicted = mnist_classifier.predict(images, batch_size=300)
    assert predicted.shape == (1000,) and predicted.dtype == torch.int64
    assert (predicted == labels).float().mean().item() == pytest.approx(mnist_classifier.test_accuracy)
    features = mnist_classifier.features(images[:10])
    assert features.shape == (10, 128) and features.min() >= 0  # post-ReLU activations


def test_wrong_image_shape_is_refused(mnist_classifier):
    with pytest.raises(MetricError, match=r"\(N, 1, 28, 28\)"):
        mnist_classifier.predict(torch.zeros(2, 1, 32, 32))
    with pytest.raises(MetricError, match="divisible by 4"):
        DigitClassifier(resolution=30)


def small_split(monkeypatch, size=400):
    """Train and test on the first `size` examples of each split so training takes a second."""
    original = classifier_module.classifier_data

    def limited(dataset, split, resolution):
        data = original(dataset, split, resolution)
        data.x, data.y = data.x[:size], data.y[:size]
        return data

    monkeypatch.setattr(classifier_module, "classifier_data", limited)


def test_training_is_deterministic_given_the_seed(monkeypatch):
    small_split(monkeypatch)
    first, accuracy = train_classifier("mnist5k", epochs=1, seed=3)
    second, again = train_classifier("mnist5k", epochs=1, seed=3)
    other, _ = train_classifier("mnist5k", epochs=1, seed=4)
    assert accuracy == again and accuracy > 0.5
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True))
    assert not torch.equal(first.head.weight, other.head.weight)


def test_padded_resolution_and_a_corrupt_cache_file(tmp_path, monkeypatch):
    small_split(monkeypatch)
    monkeypatch.setenv("LATENTGAN_CACHE", str(tmp_path))
    monkeypatch.setitem(classifier_module.DEFAULT_EPOCHS, "mnist5k", 1)
    path = classifier_path("mnist5k", 32)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a file")
    model = load_classifier("mnist5k", resolution=32)
    assert model.resolution == 32 and model.predict(torch.zeros(3, 1, 32, 32)).shape == (3,)
    assert torch.load(path, weights_only=True)["test_accuracy"] == model.test_accuracy


def test_an_invariant_classifier_labels_shifted_and_rotated_digits_like_the_originals(tmp_path, monkeypatch,
                                                                                      mnist_test_images):
    from latentgan.data.transforms import RandomTransform, TransformConfig

    small_split(monkeypatch, size=2000)
    monkeypatch.setenv("LATENTGAN_CACHE", str(tmp_path))
    augment = TransformConfig(shift=4, rotate=20.0)
    for table in (classifier_module.DEFAULT_EPOCHS, classifier_module.AUGMENTED_EPOCHS):
        monkeypatch.setitem(table, "mnist5k", 4)
    plain, invariant = load_classifier("mnist5k"), load_classifier("mnist5k", augment=augment)
    assert classifier_path("mnist5k", 28, augment).name == "mnist5k-28px-shift4-rot20-v1.pt"
    assert classifier_path("mnist5k", 28, augment).exists() and classifier_path("mnist5k", 28).exists()
    images, labels = mnist_test_images
    moved = RandomTransform(augment, (0.0, 1.0))(images, torch.Generator().manual_seed(0))
    plain_acc, invariant_acc = ((c.predict(moved) == labels).float().mean().item() for c in (plain, invariant))
    assert invariant_acc > plain_acc + 0.2 and invariant_acc > 0.7, (plain_acc, invariant_acc)
    with pytest.raises(MetricError, match="shifts and rotations only"):
        load_classifier("mnist5k", augment=TransformConfig(flip=True))


def test_unsuitable_datasets_are_refused():
    with pytest.raises(MetricError, match="grayscale|28x28"):
        train_classifier("digits", epochs=1)
    with pytest.raises(MetricError, match="unknown dataset"):
        train_classifier("no-such-data", epochs=1)


@pytest.mark.slow
def test_fashion_mnist_classifier_is_accurate(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTGAN_CACHE", str(tmp_path))
    assert load_classifier("fashion-mnist").test_accuracy > 0.88
