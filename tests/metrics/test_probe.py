import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from latentgan.metrics.errors import MetricError
from latentgan.metrics.probe import balanced_label_subsets, knn_probe, linear_probe, probe_report


@pytest.fixture(scope="module")
def digits():
    """sklearn's 1,797 8x8 digits as (N, 1, 8, 8) tensors in [-1, 1]: 1,200 train pool, 597 test."""
    x, y = load_digits(return_X_y=True)
    x = torch.from_numpy(x / 8.0 - 1.0).float().view(-1, 1, 8, 8)
    y = torch.from_numpy(y)
    return x[:1200], y[:1200], x[1200:], y[1200:]


def test_subsets_are_class_balanced_and_seeded():
    labels = np.repeat(np.arange(10), 60)
    subsets = balanced_label_subsets(labels, n_labels=105, repeats=3, seed=0)
    for subset in subsets:
        assert np.bincount(labels[subset]).tolist() == [10] * 10  # 105 // 10 per class
        assert len(set(subset.tolist())) == 100
    assert not np.array_equal(subsets[0], subsets[1])
    again = balanced_label_subsets(labels, n_labels=105, repeats=3, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(subsets, again, strict=True))
    assert not np.array_equal(subsets[0], balanced_label_subsets(labels, 105, 1, seed=1)[0])


def test_subsets_reject_too_few_labels_or_examples():
    labels = np.repeat(np.arange(10), 5)
    with pytest.raises(MetricError, match="fewer than the 10 classes"):
        balanced_label_subsets(labels, n_labels=5, repeats=1, seed=0)
    with pytest.raises(MetricError, match="have fewer"):
        balanced_label_subsets(labels, n_labels=100, repeats=1, seed=0)


@pytest.mark.parametrize("classifier", ["logistic", "svm"])
def test_pixel_probe_on_digits_is_accurate_and_reproducible(digits, classifier):
    train_x, train_y, test_x, test_y = digits
    result = linear_probe(train_x, train_y, test_x, test_y, n_labels=500, repeats=3, seed=0, classifier=classifier)
    assert result["mean"] > 0.85 and len(result["accuracies"]) == 3 and result["not_converged"] == 0
    assert 0 < result["std"] < 0.05
    same = linear_probe(train_x, train_y, test_x, test_y, n_labels=500, repeats=3, seed=0, classifier=classifier)
    other = linear_probe(train_x, train_y, test_x, test_y, n_labels=500, repeats=3, seed=1, classifier=classifier)
    assert same["accuracies"] == result["accuracies"] and other["accuracies"] != result["accuracies"]


def test_random_two_dim_features_do_worse_than_pixels(digits):
    train_x, train_y, test_x, test_y = digits
    projection = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    pixels = linear_probe(train_x, train_y, test_x, test_y, n_labels=500, repeats=2)
    random = linear_probe(train_x.flatten(1) @ projection, train_y, test_x.flatten(1) @ projection, test_y,
                          n_labels=500, repeats=2)
    assert random["mean"] < pixels["mean"] - 0.3
    knn = knn_probe(train_x, train_y, test_x, test_y, n_labels=500, repeats=2, k=3)
    assert knn["mean"] > 0.9


def test_probe_report_compares_encoder_pixels_and_pca(digits):
    train_x, train_y, test_x, test_y = digits
    projection = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    report = probe_report(lambda x: x.flatten(1) @ projection, train_x, train_y, test_x, test_y,
                          n_labels=200, repeats=2, seed=0)
    for probe in ("linear", "knn"):
        for name in ("encoder", "pixels", "pca"):
            assert 0 <= report[f"probe_{probe}_{name}@200"] <= 1
            assert report[f"probe_{probe}_{name}_std@200"] >= 0
    assert report["probe_feature_dim"] == 2 and report["probe_repeats"] == 2
    # PCA keeps the two directions of largest variance, a random projection does not.
    assert report["probe_linear_pca@200"] > report["probe_linear_encoder@200"]
    assert report["probe_linear_pixels@200"] > report["probe_linear_pca@200"]
    svm = probe_report(lambda x: x.flatten(1)[:, :8], train_x, train_y, test_x, test_y, n_labels=100, repeats=1,
                       classifier="svm")
    assert "probe_svm_encoder@100" in svm and "probe_knn_pixels_std@100" in svm


def test_unknown_classifier_is_an_error(digits):
    train_x, train_y, test_x, test_y = digits
    with pytest.raises(MetricError, match="logistic, svm"):
        linear_probe(train_x, train_y, test_x, test_y, n_labels=100, repeats=1, classifier="forest")
